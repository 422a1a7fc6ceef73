"""Who may do what to a self-assessment.

Two roles act on it, each over the nominated union's organisation: the union (基层工会) fills
it in and cites its evidence, the district reviewer (区县审核人) comments on it. Whether the
round is open for either is the services' business (`app.assessment.rounds.editing_round`,
`app.assessment.review`); reading it is whoever may see the nomination.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.assessment.models import AssessmentRound, RoundStatus
from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, holds_role_over
from app.errors import Forbidden
from app.nominations.models import Nomination


def roles_over(user: User, nomination: Nomination) -> tuple[bool, bool]:
    """(union, reviewer): whether the user holds each role over the nomination's union."""
    ancestors = ancestor_ids(nomination.org_id)
    return (
        holds_role_over(user, Role.UNION, ancestors),
        holds_role_over(user, Role.REVIEWER, ancestors),
    )


def may_fill_in(user: User, nomination: Nomination) -> bool:
    """Whether the user is a union over the nomination's organisation (ignores the round):
    the one who fills in the self-assessment and cites or removes its evidence."""
    return holds_role_over(user, Role.UNION, ancestor_ids(nomination.org_id))


def may_review(user: User, nomination: Nomination) -> bool:
    """Whether the user is a reviewer over the nomination's organisation (ignores the state)."""
    return holds_role_over(user, Role.REVIEWER, ancestor_ids(nomination.org_id))


def may_read_comments(rnd: AssessmentRound, *, is_union: bool, is_reviewer: bool) -> bool:
    """Comments on a round under review are the reviewer's working notes until the decision:
    the nominated union sees them once the round is returned or decided."""
    return rnd.status != RoundStatus.SUBMITTED or not is_union or is_reviewer


def require_fill_in(user: User, nomination: Nomination) -> None:
    if not may_fill_in(user, nomination):
        raise Forbidden(_("Only the nominated union may fill in the self-assessment."))


def require_edit_evidence(user: User, nomination: Nomination) -> None:
    """`may_fill_in`, refused in the words of the evidence pages."""
    if not may_fill_in(user, nomination):
        raise Forbidden(_("Only the nominated union may upload or remove evidence."))


def require_review(user: User, nomination: Nomination) -> None:
    if not may_review(user, nomination):
        raise Forbidden(_("Only a reviewer of the district federation may write review comments."))
