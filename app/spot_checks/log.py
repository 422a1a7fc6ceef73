"""The check log on site, kept by the assigned inspectors while the check is open: the visit
(date, place, the member interview sample), a finding and notes per standard item, and the
photos taken for an item.

Every change clears the inspectors' agreements to a proposed conclusion (`checks.
clear_agreement`): they agree to a conclusion on the log as it stands.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.dbtypes import INT4_MAX
from app.errors import Invalid, NotFound
from app.evidence.models import Evidence
from app.evidence.services import store_evidence
from app.extensions import db
from app.spot_checks.checks import (
    MAX_NOTES,
    MAX_PLACE,
    clear_agreement,
    item_ids,
    load_check,
    lock_for_log,
)
from app.spot_checks.models import CheckFinding, CheckPhoto, Finding, SpotCheck
from app.timeutil import beijing_today, utcnow


def _count(
    value: Any, field_name: str, errors: dict[str, list[str]], *, whole: str, negative: str
) -> int | None:
    """A count typed on the page or sent by the API; the errors are `whole` and `negative`."""
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors[field_name] = [whole]
        return None
    if number < 0:
        errors[field_name] = [negative]
        return None
    if number > INT4_MAX:
        errors[field_name] = [_("The number is too large.")]
        return None
    return number


def save_visit(
    user: User,
    check_id: int,
    *,
    visited_on: date | None,
    place: str | None,
    interviewed: Any = None,
    interviewed_satisfied: Any = None,
) -> SpotCheck:
    """Date, place and the member interview sample. Commits."""
    check, _nomination = lock_for_log(user, check_id)
    errors: dict[str, list[str]] = {}
    place = (place or "").strip() or None
    if place and len(place) > MAX_PLACE:
        errors["place"] = [_("The place has at most %(n)s characters.", n=MAX_PLACE)]
    if visited_on is not None and visited_on > beijing_today():
        errors["visited_on"] = [_("The date of the visit cannot be after today.")]
    asked = _count(
        interviewed,
        "interviewed",
        errors,
        whole=_("The number interviewed must be a whole number."),
        negative=_("The number interviewed cannot be negative."),
    )
    satisfied = _count(
        interviewed_satisfied,
        "interviewed_satisfied",
        errors,
        whole=_("The number satisfied must be a whole number."),
        negative=_("The number satisfied cannot be negative."),
    )
    if asked is not None and satisfied is not None and satisfied > asked:
        errors["interviewed_satisfied"] = [
            _(
                "Members satisfied (%(satisfied)s) cannot be more than members interviewed "
                "(%(asked)s).",
                satisfied=satisfied,
                asked=asked,
            )
        ]
    if asked is not None and satisfied is None and "interviewed_satisfied" not in errors:
        errors["interviewed_satisfied"] = [_("Please enter how many were satisfied.")]
    if errors:
        raise Invalid(_("The check's log is not valid."), errors=errors)
    new = (visited_on, place, asked, satisfied)
    if new != (check.visited_on, check.place, check.interviewed, check.interviewed_satisfied):
        check.visited_on, check.place = visited_on, place
        check.interviewed, check.interviewed_satisfied = asked, satisfied
        clear_agreement(check)
    db.session.commit()
    return check


def save_findings(user: User, check_id: int, answers: dict[int, dict[str, Any]]) -> int:
    """Findings per item: {item_id: {"finding": "meets"|"partly"|"fails"|None, "notes": str}}.

    Items left out are unchanged. Returns how many items were saved. Commits.
    """
    check, nomination = lock_for_log(user, check_id)
    valid = item_ids(nomination)
    errors: dict[str, list[str]] = {}
    clean: dict[int, tuple[Finding | None, str | None]] = {}
    for raw_id, answer in answers.items():
        try:
            item_id = int(raw_id)
        except (TypeError, ValueError):
            item_id = -1
        if item_id not in valid:
            errors[f"item_{raw_id}"] = [_("Not an item of this check.")]
            continue
        value = answer.get("finding") or None
        if value is not None and value not in {f.value for f in Finding}:
            errors[f"finding_{item_id}"] = [
                _("Please choose meets, partly meets or does not meet.")
            ]
            continue
        notes = (answer.get("notes") or "").strip() or None
        if notes and len(notes) > MAX_NOTES:
            errors[f"notes_{item_id}"] = [_("A note has at most %(n)s characters.", n=MAX_NOTES)]
            continue
        clean[item_id] = (Finding(value) if value is not None else None, notes)
    if errors:
        raise Invalid(_("The check's log is not valid."), errors=errors)
    existing = {
        f.item_id: f
        for f in db.session.scalars(
            select(CheckFinding).where(CheckFinding.spot_check_id == check.id)
        )
    }
    changed = False
    for item_id, (finding_value, notes) in clean.items():
        finding = existing.get(item_id)
        if finding is None and finding_value is None and notes is None:
            continue  # nothing said about this item
        if finding is None:
            db.session.add(
                CheckFinding(
                    spot_check_id=check.id,
                    item_id=item_id,
                    finding=finding_value,
                    notes=notes,
                    updated_by_id=user.id,
                )
            )
            changed = True
        elif (finding.finding, finding.notes) != (finding_value, notes):
            finding.finding, finding.notes, finding.updated_by_id = finding_value, notes, user.id
            changed = True
    if changed:
        clear_agreement(check)
    db.session.commit()
    return len(clean)


def add_photo(user: User, check_id: int, item_id: int | str, file_storage: Any) -> CheckPhoto:
    """A photo taken on site for one item; same checks as any evidence upload. Commits."""
    check, nomination = lock_for_log(user, check_id)
    try:
        item = int(item_id)
    except (TypeError, ValueError):
        item = -1
    if item not in item_ids(nomination):
        raise Invalid(
            _("A photo must belong to an item of this check."),
            errors={"item_id": [_("Please choose an item.")]},
        )

    def attach(evidence: Evidence, is_new: bool) -> CheckPhoto:
        if evidence.kind != "image":
            raise Invalid(
                _("A photo from the site must be an image (JPEG, PNG …)."),
                errors={"file": [_("Please upload a photo.")]},
            )
        locked = load_check(check.id, lock=True)
        assert locked is not None
        finding = db.session.scalar(
            select(CheckFinding).where(
                CheckFinding.spot_check_id == check.id, CheckFinding.item_id == item
            )
        )
        if finding is None:
            finding = CheckFinding(spot_check_id=check.id, item_id=item, updated_by_id=user.id)
            db.session.add(finding)
            db.session.flush()
        photo = db.session.scalar(
            select(CheckPhoto).where(
                CheckPhoto.finding_id == finding.id, CheckPhoto.evidence_id == evidence.id
            )
        )
        if photo is None:
            photo = CheckPhoto(finding_id=finding.id, evidence_id=evidence.id)
            db.session.add(photo)
        locked.updated_at = utcnow()
        return photo

    return store_evidence(user, nomination, file_storage, attach)


def remove_photo(user: User, check_id: int, photo_id: int) -> None:
    """Take a photo off the log (the file stays with the nomination's evidence). Commits."""
    check, _nomination = lock_for_log(user, check_id)
    photo = db.session.scalar(
        select(CheckPhoto)
        .join(CheckFinding)
        .where(CheckPhoto.id == photo_id, CheckFinding.spot_check_id == check.id)
    )
    if photo is None:
        raise NotFound(_("The photo does not exist or was removed."))
    db.session.delete(photo)
    check.updated_at = utcnow()
    db.session.commit()
