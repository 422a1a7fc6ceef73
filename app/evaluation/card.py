"""The nomination page's member-evaluation card, and the live turnout it shares with the
evaluation page: counts only, never a ballot, an answer, a comment or a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from app.auth.models import User
from app.evaluation import policy
from app.evaluation.lookup import evaluation_of
from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.evaluation.results import Turnout, turnout
from app.nominations.models import Nomination
from app.timeutil import as_utc, utcnow
from workflows.nomination import STAGES, STATE_STAGE

_STAGE_ORDER = [s["name"] for s in STAGES]
_EVALUATION_STAGE = _STAGE_ORDER.index("evaluation")


def window_state(evaluation: MemberEvaluation) -> str:
    """closed / not_started / open / ended (window over, waiting for the closing job)."""
    if evaluation.status == EvaluationStatus.CLOSED:
        return "closed"
    now = utcnow()
    if now < as_utc(evaluation.opens_at):
        return "not_started"
    if now >= as_utc(evaluation.closes_at):
        return "ended"
    return "open"


def turnout_data(evaluation: MemberEvaluation, t: Turnout) -> dict[str, Any]:
    """Counts only: never a ballot, an answer, a comment or a time."""
    return {
        "status": window_state(evaluation),
        "member_count": t.member_count,
        "issued": t.issued,
        "voted_online": t.voted_online,
        "paper": t.paper,
        "voted": t.voted,
        "turnout": round(float(t.rate), 6),
        "turnout_percent": t.percent,
        "bar_percent": round(min(100.0, float(t.rate) * 100), 1),
    }


@dataclass
class EvaluationCard:
    evaluation: MemberEvaluation | None
    turnout: dict[str, Any] | None
    can_open: bool
    url: str


def build_card(user: User, nomination: Nomination, state: Any = None) -> EvaluationCard | None:
    """What the nomination page shows of the member evaluation (None before that stage)."""
    stage = _STAGE_ORDER.index(STATE_STAGE[nomination.status])
    if stage < _EVALUATION_STAGE and nomination.status != "withdrawn":
        return None
    evaluation = evaluation_of(nomination.id)
    url = url_for("evaluation.page", nomination_id=nomination.id)
    if evaluation is None:
        can_open = policy.may_open(user, nomination)
        if nomination.status != "member_evaluation":
            return None
        return EvaluationCard(None, None, can_open, url)
    return EvaluationCard(evaluation, turnout_data(evaluation, turnout(evaluation)), False, url)
