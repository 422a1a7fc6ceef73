"""What the spot-check API answers: a draw's public record, a check with its team, log,
conclusion and rectification, and the candidates for a team (the bodies its schemas dump).

Each body costs a fixed number of queries, whatever the number of items, photos or files.
"""

from __future__ import annotations

from typing import Any

from flask import url_for

from app.auth.models import User
from app.errors import Conflict
from app.evidence.files import present_file
from app.evidence.models import Evidence
from app.nominations.models import Nomination
from app.spot_checks import policy, queries
from app.spot_checks.assign import Inspector
from app.spot_checks.checks import (
    CONCLUSION_LABELS,
    FINDING_LABELS,
    ItemFinding,
    check_view,
    fingerprint,
    get_check,
)
from app.spot_checks.models import (
    Conclusion,
    Finding,
    SpotCheck,
    SpotCheckAssignment,
    SpotCheckDraw,
)
from app.spot_checks.rectification import rectification_problems
from app.spot_checks.services import public_record, unit_names, verify_draw

# -- the draw -----------------------------------------------------------------------------


def present_draw(draw: SpotCheckDraw) -> dict[str, Any]:
    record = public_record(draw)
    record["page_url"] = url_for("spot_checks.verify_page", draw_id=draw.id)
    return record


def present_public_draw(draw: SpotCheckDraw) -> dict[str, Any]:
    """The record with the units' names and the draw re-run from it (None while announced)."""
    body = present_draw(draw)
    body["units"] = {
        str(nid): name
        for nid, name in unit_names([e["nomination_id"] for e in body["population"] or []]).items()
    }
    try:
        result = verify_draw(draw.id)
    except Conflict:
        body["verification"] = None  # announced only: the seed is still secret
    else:
        body["verification"] = {
            "commitment_ok": result.commitment_ok,
            "population_ok": result.population_ok,
            "sample_ok": result.sample_ok,
            "ok": result.ok,
            "recomputed": result.recomputed,
            "strata": result.strata,
        }
    return body


def present_candidate(inspector: Inspector) -> dict[str, Any]:
    return {
        "inspector_id": inspector.user_id,
        "name": inspector.name,
        "label": inspector.label,
        "organisations": inspector.org_names,
        "load": inspector.load,
        "eligible": inspector.reason is None,
        "reason": inspector.reason,
    }


# -- checks -------------------------------------------------------------------------------


def present_evidence(evidence: Evidence) -> dict[str, Any]:
    return present_file(evidence, thumbnail=True)


def _team(assignments: list[SpotCheckAssignment]) -> list[dict[str, Any]]:
    return [
        {
            "inspector_id": a.inspector_id,
            "name": a.inspector.display_name,
            "assigned_at": a.assigned_at,
            "automatic": a.assigned_by_id is None,
            "agreed_at": a.agreed_at,
        }
        for a in assignments
    ]


def present_summary(
    check: SpotCheck, nomination: Nomination, team: list[SpotCheckAssignment]
) -> dict[str, Any]:
    conclusion = Conclusion(check.conclusion) if check.conclusion else None
    return {
        "id": check.id,
        "draw_id": check.draw_id,
        "nomination_id": nomination.id,
        "unit": nomination.org.name,
        "campaign_id": nomination.campaign_id,
        "campaign_name": nomination.campaign.name,
        "status": nomination.status,
        "status_label": nomination.state_label,
        "visited_on": check.visited_on,
        "conclusion": conclusion.value if conclusion else None,
        "conclusion_label": CONCLUSION_LABELS[conclusion] if conclusion else None,
        "rectification_deadline": check.rectification_deadline,
        "inspectors": _team(team),
    }


def _item(row: ItemFinding) -> dict[str, Any]:
    return {
        "item_id": row.item.id,
        "code": row.item.code,
        "dimension": row.item.dimension_label,
        "number": row.item.number,
        "text": row.item.text,
        "finding": row.value,
    }


def present_check(user: User, check: SpotCheck, nomination: Nomination) -> dict[str, Any]:
    """The check as the API shows it (a fixed number of queries)."""
    team = queries.load_team(check)
    view = check_view(check, nomination)
    body = present_summary(check, nomination, team)
    open_log = nomination.status == "spot_check"
    rectifying = nomination.status == "rectification"
    conclusion = Conclusion(check.conclusion) if check.conclusion else None
    body.update(
        {
            "org_code": nomination.org.code,
            "award_type": nomination.award_type,
            "category": view.category,
            "visit": {
                "visited_on": check.visited_on,
                "place": check.place,
                "interviewed": check.interviewed,
                "interviewed_satisfied": check.interviewed_satisfied,
                "rate": float(view.rate) if view.rate is not None else None,
                "rate_percent": view.rate_percent,
                "rate_threshold": float(view.rate_threshold)
                if view.rate_threshold is not None
                else None,
            },
            "findings": [
                {
                    **_item(row),
                    "finding_label": FINDING_LABELS[Finding(row.value)] if row.value else None,
                    "notes": row.finding.notes if row.finding else None,
                    "photos": [
                        {**present_evidence(p.evidence), "id": p.id, "item_id": row.item.id}
                        for p in row.photos
                    ],
                }
                for row in view.items
            ],
            "counts": view.counts,
            "required_inspectors": view.required,
            "proposal": {
                "conclusion": conclusion.value,
                "label": CONCLUSION_LABELS[conclusion],
                "notes": check.conclusion_notes,
                "items": list(check.rectification_items or []),
                "deadline": check.rectification_deadline,
                "fingerprint": fingerprint(check),
                "concluded_at": check.concluded_at,
            }
            if conclusion
            else None,
            "problems": view.problems if open_log else [],
            "rectification": None,
            "allowed": {
                "keep_log": policy.may_keep_log(user, check, nomination),
                "agree": policy.may_agree(user, check, nomination),
                "manage_team": open_log and policy.may_manage_check(user, check),
                "respond": policy.may_answer_rectification(user, check, nomination),
                "decide": policy.may_decide_rectification(user, check, nomination),
            },
            "updated_at": check.updated_at,
        }
    )
    if conclusion == Conclusion.RECTIFY:
        body["rectification"] = {
            "items": [
                {
                    **_item(row),
                    "statement": view.responses[row.item.id].statement
                    if row.item.id in view.responses
                    else None,
                    "files": [present_evidence(e) for e in view.response_files(row.item.id)],
                }
                for row in view.rectify_items
            ],
            "deadline": check.rectification_deadline,
            "overdue": view.overdue,
            "submitted_at": check.rectification_submitted_at,
            "decision": check.rectification_decision,
            "decided_at": check.rectification_decided_at,
            "problems": rectification_problems(view)
            if rectifying and check.rectification_submitted_at is None
            else [],
        }
    return body


def present_check_by_id(user: User, check_id: int) -> dict[str, Any]:
    """The check as the user may see it now (after a change, as the change left it)."""
    check, nomination = get_check(user, check_id)
    return present_check(user, check, nomination)
