"""The campaign page's links to the stages' own pages (随机抽查, 表彰决定, 数据看板).

The campaign page knows no stage: each package that has a campaign-wide page registers a
link from its `plugin.register()`, with the rule that decides who sees it, and the page
shows the links this user may follow, in `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for

from app.auth.models import User
from app.campaigns.models import Campaign


@dataclass(frozen=True)
class CampaignLink:
    """A link from the campaign page to `endpoint` (given `campaign_id`), shown to whom
    `allowed` says."""

    name: str
    label: Any  # a lazy translation
    endpoint: str
    allowed: Callable[[User, Campaign], bool]
    order: int


@dataclass(frozen=True)
class ShownLink:
    name: str
    label: str
    url: str


_LINKS: dict[str, CampaignLink] = {}


def register(link: CampaignLink) -> None:
    known = _LINKS.get(link.name)
    if known is not None and known != link:
        raise ValueError(f"campaign link {link.name} is registered twice")
    _LINKS[link.name] = link


def links_for(user: User, campaign: Campaign) -> list[ShownLink]:
    """The links this user may follow from this campaign's page, in order."""
    return [
        ShownLink(link.name, str(link.label), url_for(link.endpoint, campaign_id=campaign.id))
        for link in sorted(_LINKS.values(), key=lambda link: link.order)
        if link.allowed(user, campaign)
    ]
