"""Who may do what in the member evaluation (会员评家).

Whoever sees the nomination (its union, the district's reviewers, the city) follows its
evaluation read-only: the evaluation is loaded through `get_nomination`, which hides the
nomination from anyone else (`app.evaluation.lookup.get_evaluation`). The nominated union
alone runs it: opens it, hands out and voids the links, enters the paper tally, writes the
report and may close early.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, holds_role_over
from app.errors import Forbidden, NotFound
from app.evaluation.models import EvaluationStatus, MemberEvaluation
from app.nominations.models import Nomination


def may_run(user: User, nomination: Nomination) -> bool:
    """Whether the user is the nominated union (or a union above it)."""
    return holds_role_over(user, Role.UNION, ancestor_ids(nomination.org_id))


def require_run(user: User, nomination: Nomination) -> None:
    if not may_run(user, nomination):
        raise Forbidden(_("Only the nominated union may run its member evaluation."))


def may_open(user: User, nomination: Nomination) -> bool:
    """Whether to offer opening the evaluation: the union, once its nomination reached it."""
    return nomination.status == "member_evaluation" and may_run(user, nomination)


def require_see_links(user: User, nomination: Nomination) -> None:
    """The voting links are the union's alone; to anyone else they do not exist (404)."""
    if not may_run(user, nomination):
        raise NotFound(_("Not found, or you are not allowed to see it."))


def may_see_tally(user: User, nomination: Nomination, evaluation: MemberEvaluation) -> bool:
    """The paper tally: the union while the evaluation runs, every reader once it closed."""
    return evaluation.status == EvaluationStatus.CLOSED or may_run(user, nomination)
