"""The inspector's list of their checks ("my spot checks"), on the page and as a CSV file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from app.campaigns.models import CampaignDeadline, Stage
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure
from app.spot_checks import bp, policy
from app.spot_checks.checks import CONCLUSION_LABELS, my_checks, rectification_overdue
from app.spot_checks.models import Conclusion, SpotCheck
from app.spot_checks.words import CONCLUSION_COLOURS, CONCLUSION_WORDS
from app.web.downloads import csv_response


@dataclass
class MyCheckRow:
    check: SpotCheck
    nomination: Nomination
    district: str | None
    due: date | None  # the campaign's 抽查截止 while on site

    @property
    def is_open(self) -> bool:
        return self.nomination.status == "spot_check" or (
            self.nomination.status == "rectification"
            and self.check.rectification_submitted_at is not None
        )

    @property
    def overdue(self) -> bool:
        return rectification_overdue(self.check, self.nomination.status)


def _districts(org_ids: set[int]) -> dict[int, str]:
    """The district (or industry union) above each organisation, in one query."""
    if not org_ids:
        return {}
    rows = db.session.execute(
        select(OrgClosure.descendant_id, Organization.name)
        .join(Organization, Organization.id == OrgClosure.ancestor_id)
        .where(OrgClosure.descendant_id.in_(org_ids), Organization.level.in_(DISTRICT_LEVELS))
    ).all()
    return {descendant: name for descendant, name in rows}


def _due_dates(campaign_ids: set[int]) -> dict[int, date]:
    if not campaign_ids:
        return {}
    rows = db.session.execute(
        select(CampaignDeadline.campaign_id, CampaignDeadline.due_date).where(
            CampaignDeadline.campaign_id.in_(campaign_ids),
            CampaignDeadline.stage == Stage.SPOT_CHECK,
        )
    ).all()
    return {campaign_id: due for campaign_id, due in rows}


def _my_rows() -> list[MyCheckRow]:
    pairs = my_checks(current_user)
    districts = _districts({n.org_id for _c, n in pairs})
    due = _due_dates({n.campaign_id for _c, n in pairs})
    return [MyCheckRow(c, n, districts.get(n.org_id), due.get(n.campaign_id)) for c, n in pairs]


@bp.get("/spot-checks/mine", endpoint="my_checks")
@login_required
def my_checks_page() -> ResponseReturnValue:
    rows = _my_rows()
    return render_template(
        "spot_checks/mine.html",
        rows=rows,
        open_count=sum(1 for r in rows if r.is_open),
        conclusion_labels={c.value: CONCLUSION_WORDS[c] for c in Conclusion},
        conclusion_colours=CONCLUSION_COLOURS,
        is_inspector=policy.is_inspector(current_user),
    )


@bp.get("/spot-checks/mine.csv")
@login_required
def my_checks_csv() -> ResponseReturnValue:
    # The list for the record: its header and conclusions in Chinese.
    header = [
        "抽查编号",
        "申报编号",
        "被检查单位",
        "所属区（县）",
        "评选活动",
        "状态",
        "检查日期",
        "抽查截止",
        "抽查结论",
        "整改期限",
        "检查地点",
    ]
    return csv_response(
        "my-spot-checks.csv",
        header,
        (
            [
                r.check.id,
                r.nomination.id,
                r.nomination.org.name,
                r.district or "",
                r.nomination.campaign.name,
                r.nomination.state_label,
                r.check.visited_on.isoformat() if r.check.visited_on else "",
                r.due.isoformat() if r.due else "",
                CONCLUSION_LABELS[Conclusion(r.check.conclusion)]
                if r.check.concluded_at and r.check.conclusion
                else "",
                r.check.rectification_deadline.isoformat()
                if r.check.rectification_deadline
                else "",
                r.check.place or "",
            ]
            for r in _my_rows()
        ),
    )
