"""Guards of the nomination core (`workflows.guards`), registered by `app.nominations.plugin`."""

from __future__ import annotations

from flask_babel import gettext as _

from app.nominations.models import Nomination
from workflows.guards import guard


@guard("campaign_open")
def campaign_open(nomination: Nomination) -> list[str]:
    """Nominations move only while their campaign is running."""
    if nomination.campaign.status != "open":
        return [
            _(
                "The campaign “%(name)s” is not open: the nomination cannot be submitted.",
                name=nomination.campaign.name,
            )
        ]
    return []
