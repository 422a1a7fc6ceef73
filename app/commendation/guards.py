"""Guards of the commendation stage (`workflows.guards`), registered by
`app.commendation.plugin`."""

from __future__ import annotations

from flask_babel import gettext as _

from app.commendation.certificates import certificate_of
from app.commendation.honours import open_rectification
from app.nominations.models import Nomination
from workflows.guards import guard


def _rectification_origin(nomination: Nomination) -> str | None:
    order = open_rectification(nomination.id)
    return order.origin if order else None


@guard("rectifying_before_commendation")
def rectifying_before_commendation(nomination: Nomination) -> list[str]:
    """Ordered to rectify on an objection during the publicity period (not yet commended)."""
    if _rectification_origin(nomination) != "objection":
        return [
            _(
                "This unit rectifies under the management of a title already conferred: "
                "this action does not apply."
            )
        ]
    return []


@guard("rectifying_commended_home")
def rectifying_commended_home(nomination: Nomination) -> list[str]:
    """A commended home ordered to rectify keeps its title only from there."""
    if _rectification_origin(nomination) != "commended":
        return [_("This unit has not been commended: it has no title to keep.")]
    return []


@guard("holds_the_title")
def holds_the_title(nomination: Nomination) -> list[str]:
    """Only a title that was conferred can be revoked."""
    if certificate_of(nomination.id) is None:
        return [_("This unit holds no certificate: there is no title to revoke.")]
    return []
