"""What the dashboard plugs in: its link on the campaign page and its entry in the menu."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.models import User
from app.campaigns import links
from app.campaigns.links import CampaignLink
from app.campaigns.models import Campaign
from app.dashboard.policy import may_see_dashboard


def _may_see(user: User, campaign: Campaign) -> bool:
    return may_see_dashboard(user)


DASHBOARD_LINK = CampaignLink("dashboard", _l("Dashboard"), "dashboard.page", _may_see, order=10)


def _nav_entry() -> bool:
    """The menu's 数据看板 entry: the dashboard's own rule."""
    return bool(current_user.is_authenticated and may_see_dashboard(current_user))


def register(app: Flask) -> None:
    links.register(DASHBOARD_LINK)
    app.jinja_env.globals["may_see_dashboard"] = _nav_entry
