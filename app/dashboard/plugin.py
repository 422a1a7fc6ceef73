"""What the dashboard plugs in: its link on the campaign page and its entry in the menu."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.campaigns import links
from app.campaigns.links import CampaignLink
from app.campaigns.models import Campaign
from app.dashboard.policy import may_see_dashboard
from app.web import menu
from app.web.menu import MenuEntry


def _may_see(user: User, campaign: Campaign) -> bool:
    return may_see_dashboard(user)


DASHBOARD_LINK = CampaignLink("dashboard", _l("Dashboard"), "dashboard.page", _may_see, order=10)


MENU_ENTRY = MenuEntry(
    "dashboard", _l("Dashboard"), "dashboard.latest", may_see_dashboard, 20, "nav-dashboard"
)


def register(app: Flask) -> None:
    links.register(DASHBOARD_LINK)
    menu.register(MENU_ENTRY)
