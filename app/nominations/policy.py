"""Who may do what with nominations.

- **Creating**: a user who holds the union role files for the union(s) where it holds it
  and for the units below them (its branches).
- **Seeing**: the nominations of the user's subtrees and of its assignments — a WHERE
  clause, so it lives with the queries (`services.visible_nomination_clause`, with the
  stages' assignments from `work`). A nomination the user may not see is "not found", never
  "forbidden", so its existence is not revealed (`not_found`).
- **Acting by hand**: only the definition's manual actions are taken from the nomination
  page or the API; the others are their stage's own service's to fire.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, role_orgs
from app.errors import Forbidden, NotFound
from app.orgs.models import Organization
from app.web.templating import label
from workflows.nomination import ACTIONS

# -- creating -----------------------------------------------------------------------------


def nominating_unions(user: User) -> set[int]:
    """The unions the user files for: where it holds the union role."""
    return role_orgs(user, [Role.UNION]).get(Role.UNION, set())


def may_nominate(user: User) -> bool:
    """Whether the user may start nominations at all (the new-nomination page)."""
    return bool(nominating_unions(user))


def require_nominator(user: User) -> set[int]:
    """The unions the user files for; refused when there are none."""
    unions = nominating_unions(user)
    if not unions:
        raise Forbidden(_("Only grassroots union users can start a nomination."))
    return unions


def may_nominate_for(user: User, org: Organization) -> bool:
    """Whether the user may file for `org`: one of its unions or a unit below one."""
    return bool(ancestor_ids(org.id) & nominating_unions(user))


def require_nominate_for(user: User, org: Organization) -> None:
    if not may_nominate_for(user, org):
        raise Forbidden(
            _("You can only file for your own unit and the units below it."),
            errors={"org_code": [_("You may not file for this organisation.")]},
        )


# -- seeing -------------------------------------------------------------------------------


def not_found() -> NotFound:
    """The refusal for a nomination that does not exist or that the user may not see."""
    return NotFound(_("The nomination does not exist, or you may not see it."))


# -- acting -------------------------------------------------------------------------------


def may_take_by_hand(action: str) -> bool:
    """Whether `action` may be taken from the page or the API (an unknown name is left to
    the engine, which refuses it as unknown)."""
    definition = ACTIONS.get(action)
    return definition is None or definition.manual


def require_by_hand(action: str) -> None:
    if not may_take_by_hand(action):
        raise Forbidden(
            _(
                "“%(action)s” is done through its stage's own pages, not here.",
                action=label(ACTIONS[action].label),
            )
        )
