"""The check's conclusion: one assigned inspector proposes it (and so agrees to it), each of
the others agrees to exactly that text, named by its fingerprint; when every assigned
inspector (at least the campaign's number) has agreed, it takes effect through the engine —
合格 → `candidate`, 限期整改 → `rectification`, 不合格 → `spot_check_failed`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _

from app.auth.models import User
from app.errors import Conflict, Invalid, StaleVersion
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import fire_stage_action, flush_state_change
from app.spot_checks.checks import (
    CONCLUSION_LABELS,
    MAX_NOTES,
    check_view,
    clear_agreement,
    conclusion_problems,
    fingerprint,
    item_ids,
    lock_for_log,
)
from app.spot_checks.models import Conclusion, SpotCheck
from app.spot_checks.words import CONCLUSION_WORDS
from app.timeutil import beijing_today, utcnow

CONCLUSION_ACTION = {
    Conclusion.PASS: "pass_check",
    Conclusion.RECTIFY: "order_rectification",
    Conclusion.FAIL: "fail_check",
}


def propose_conclusion(
    user: User,
    check_id: int,
    *,
    conclusion: str,
    notes: str | None,
    items: Iterable[int | str] | None = None,
    deadline: date | None = None,
) -> SpotCheck:
    """One inspector proposes the conclusion and agrees to it; the others must agree too.
    Commits; when every assigned inspector has agreed the conclusion takes effect."""
    check, nomination = lock_for_log(user, check_id)
    errors: dict[str, list[str]] = {}
    try:
        chosen = Conclusion(conclusion)
    except ValueError:
        raise Invalid(
            _("Please choose a conclusion."),
            errors={"conclusion": [_("Please choose pass, rectify by a deadline, or fail.")]},
        ) from None
    notes = (notes or "").strip() or None
    if notes and len(notes) > MAX_NOTES:
        errors["notes"] = [_("The opinion has at most %(n)s characters.", n=MAX_NOTES)]
    if chosen != Conclusion.PASS and not notes:
        errors["notes"] = [
            _("“%(conclusion)s” needs a written opinion.", conclusion=CONCLUSION_WORDS[chosen])
        ]
    wanted: list[int] = []
    if chosen == Conclusion.RECTIFY:
        valid = item_ids(nomination)
        try:
            wanted = sorted({int(i) for i in items or []})
        except (TypeError, ValueError):
            wanted = [-1]
        if not wanted:
            errors["items"] = [_("Please choose the items to rectify.")]
        elif not set(wanted) <= valid:
            errors["items"] = [_("The items to rectify must be items of this check.")]
        if deadline is None:
            errors["deadline"] = [_("Please enter the deadline.")]
        elif deadline <= beijing_today():
            errors["deadline"] = [_("The deadline must be after today.")]
    if errors:
        raise Invalid(_("The conclusion is not valid."), errors=errors)
    check.conclusion = chosen
    check.conclusion_notes = notes
    check.rectification_items = wanted or None
    check.rectification_deadline = deadline if chosen == Conclusion.RECTIFY else None
    clear_agreement(check)
    view = check_view(check, nomination)
    problems = conclusion_problems(view, chosen)
    if problems:
        db.session.rollback()  # nothing of the refused proposal stays
        raise Conflict(_("This conclusion cannot be proposed yet:"), problems=problems)
    return _agree_and_commit(user, check, nomination)


def agree(user: User, check_id: int, expected: str) -> SpotCheck:
    """An assigned inspector agrees to the proposed conclusion named by `expected`."""
    check, nomination = lock_for_log(user, check_id)
    if check.conclusion is None:
        raise Conflict(_("Nobody has proposed a conclusion yet."))
    if expected != fingerprint(check):
        raise StaleVersion(
            _("The conclusion has changed meanwhile; please read it again before agreeing.")
        )
    problems = conclusion_problems(check_view(check, nomination), Conclusion(check.conclusion))
    if problems:
        raise Conflict(_("This conclusion cannot be agreed yet:"), problems=problems)
    return _agree_and_commit(user, check, nomination)


def _agree_and_commit(user: User, check: SpotCheck, nomination: Nomination) -> SpotCheck:
    mine = next(a for a in check.assignments if a.inspector_id == user.id)
    mine.agreed_at = utcnow()
    _take_effect_if_agreed(check, nomination, user)
    db.session.commit()
    return check


def _take_effect_if_agreed(check: SpotCheck, nomination: Nomination, user: User) -> None:
    required = nomination.campaign.inspectors_per_check
    if len(check.assignments) < required or any(a.agreed_at is None for a in check.assignments):
        return
    conclusion = check.conclusion
    assert conclusion is not None  # agreed to a proposal
    # The audit comment: the record, in Chinese.
    comment = f"抽查结论：{CONCLUSION_LABELS[conclusion]}。"
    if check.conclusion_notes:
        comment += check.conclusion_notes
    if conclusion == Conclusion.RECTIFY and check.rectification_deadline:
        comment += f"（整改期限 {check.rectification_deadline.isoformat()}）"
    check.concluded_at = utcnow()
    fire_stage_action(nomination, CONCLUSION_ACTION[conclusion], actor=user, comment=comment)
    flush_state_change()
