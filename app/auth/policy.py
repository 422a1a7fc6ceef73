"""Where a role may be held: each role is bound to tiers of the organisation tree.

A union role belongs to a grassroots union, a reviewer to a district federation or an
industry union, the city federation's roles to the city; inspectors work at any tier above
a branch. Creating a user (`flask create-user`, the admin pages) and granting a role both
ask here.
"""

from __future__ import annotations

from app.auth.models import Role
from app.orgs.models import Organization, OrgLevel

ROLE_ORG_LEVELS: dict[Role, tuple[OrgLevel, ...]] = {
    Role.UNION: (OrgLevel.GRASSROOTS,),
    Role.REVIEWER: (OrgLevel.DISTRICT, OrgLevel.INDUSTRY),
    Role.INSPECTOR: (OrgLevel.CITY, OrgLevel.DISTRICT, OrgLevel.INDUSTRY, OrgLevel.GRASSROOTS),
    Role.CITY: (OrgLevel.CITY,),
    Role.ADMIN: (OrgLevel.CITY,),
}


def may_hold(role: Role, org: Organization) -> bool:
    """Whether `role` may be bound to `org`, by the organisation's tier."""
    return org.level in ROLE_ORG_LEVELS[role]
