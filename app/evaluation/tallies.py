"""The union's part beside the online vote: the paper ballots' counts with the scanned tally
sheet, and its report to the higher union (how it was organised, 整改措施)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.auth.models import User
from app.errors import Invalid
from app.evaluation.lookup import running_evaluation, union_evaluation
from app.evaluation.models import Choice, MemberEvaluation, PaperTally
from app.evaluation.results import turnout
from app.evidence.models import Evidence
from app.evidence.services import store_evidence
from app.extensions import db
from app.nominations.models import Nomination
from app.timeutil import utcnow

MAX_REPORT = 5000  # characters, for each part of the report


def enter_paper_tally(
    user: User,
    nomination_id: int,
    *,
    satisfied: int,
    basic: int,
    dissatisfied: int,
    invalid: int = 0,
    tally_sheet: Any = None,
    dimension_counts: dict[str, dict[str, int]] | None = None,
) -> PaperTally:
    """Record the paper ballots' counts with the scanned tally sheet (replaces earlier)."""
    evaluation = running_evaluation(user, nomination_id)
    nomination = db.session.get(Nomination, evaluation.nomination_id)
    assert nomination is not None
    errors: dict[str, list[str]] = {}
    for name, value in (
        ("satisfied", satisfied),
        ("basic", basic),
        ("dissatisfied", dissatisfied),
        ("invalid", invalid),
    ):
        if value is None or value < 0:
            errors[name] = [_("Please enter a whole number, 0 or more.")]
    valid = sum(v for v in (satisfied, basic, dissatisfied) if v and v > 0)
    online = turnout(evaluation).voted_online
    if not errors and valid + online > evaluation.member_count:
        errors["satisfied"] = [
            _(
                "%(paper)s valid paper ballots and %(online)s online votes are more than the "
                "%(members)s members.",
                paper=valid,
                online=online,
                members=evaluation.member_count,
            )
        ]
    dims = {d["code"] for d in evaluation.dimensions}
    for code, counts in (dimension_counts or {}).items():
        if (
            code not in dims
            or set(counts) - {c.value for c in Choice}
            or any((n or 0) < 0 for n in counts.values())
        ):
            errors[f"dimension_counts.{code}"] = [_("The counts for this part are invalid.")]
        elif sum(counts.values()) > valid:
            errors[f"dimension_counts.{code}"] = [
                _("The counts for a part cannot add up to more than the valid ballots.")
            ]
    previous = evaluation.paper_tally
    if tally_sheet is None or not getattr(tally_sheet, "filename", None):
        if previous is None:
            errors["tally_sheet"] = [_("Please upload a scan or a photo of the tally sheet.")]
    if errors:
        raise Invalid(_("The paper tally is invalid."), errors=errors)

    def attach(evidence: Evidence | None, _is_new: bool = False) -> PaperTally:
        tally = previous or PaperTally(evaluation_id=evaluation.id)
        tally.satisfied, tally.basic, tally.dissatisfied = satisfied, basic, dissatisfied
        tally.invalid = invalid or 0
        tally.dimension_counts = dimension_counts or None
        if evidence is not None:
            tally.evidence_id = evidence.id
        tally.entered_by_id, tally.entered_at = user.id, utcnow()
        db.session.add(tally)
        return tally

    if tally_sheet is not None and getattr(tally_sheet, "filename", None):
        return store_evidence(user, nomination, tally_sheet, attach)
    tally = attach(None)
    db.session.commit()
    return tally


def save_report(
    user: User, nomination_id: int, *, process_notes: str | None, rectification_measures: str | None
) -> MemberEvaluation:
    """The union's account of the process and its 整改措施, for the higher union."""
    _nomination, evaluation = union_evaluation(user, nomination_id)
    errors = {
        k: [_("Write at most %(n)s characters.", n=MAX_REPORT)]
        for k, v in (
            ("process_notes", process_notes),
            ("rectification_measures", rectification_measures),
        )
        if v and len(v) > MAX_REPORT
    }
    if errors:
        raise Invalid(_("The text is too long."), errors=errors)
    evaluation.process_notes = (process_notes or "").strip() or None
    evaluation.rectification_measures = (rectification_measures or "").strip() or None
    db.session.commit()
    return evaluation
