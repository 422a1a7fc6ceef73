"""Campaigns: reading them as a user may see them, the city federation's edits, and the
summary of their nominations (who may do what: `app.campaigns.policy`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.auth.scope import visible_org_clause
from app.campaigns import policy
from app.campaigns.models import (
    AWARD_LABELS,
    STAGE_LABELS,
    AwardType,
    Campaign,
    CampaignDeadline,
    CampaignLevel,
    CampaignQuota,
    CampaignStatus,
    Stage,
)
from app.errors import Invalid
from app.extensions import db
from app.orgs.models import DISTRICT_LEVELS, Organization, OrgClosure
from app.standards.models import StandardVersion
from app.web.templating import label
from workflows.nomination import STATE_LABELS, STATE_NAMES


def visible_campaigns(user: User) -> Select:
    """The campaigns the user may see (`policy.visible_campaign_clause`), newest first."""
    return (
        select(Campaign)
        .where(policy.visible_campaign_clause(user))
        .order_by(Campaign.year.desc(), Campaign.id.desc())
    )


def get_campaign(user: User, campaign_id: int) -> Campaign:
    """A campaign the user may see; any other id is "not found", never "forbidden"."""
    campaign = db.session.scalar(visible_campaigns(user).where(Campaign.id == campaign_id))
    if campaign is None:
        raise policy.not_found()
    return campaign


# -- managing (the city federation) -------------------------------------------------------

# The calendar's order: each stage is due no earlier than the one before it.
STAGE_ORDER: tuple[Stage, ...] = (
    Stage.APPLICATION,
    Stage.REVIEW,
    Stage.EVALUATION,
    Stage.SPOT_CHECK,
    Stage.PUBLICITY,
)


def deadline_field(stage: Stage) -> str:
    """The form field (and error key) of a stage's due date."""
    return f"due_{stage.value}"


def quota_field(district_id: int) -> str:
    """The form field (and error key) of a district's quota."""
    return f"quota_{district_id}"


# 会员评家: which answers count as satisfied (app.evaluation.results.RULES uses the keys).
EVALUATION_RULES = {
    "satisfied_or_basic": _l("Satisfied + basically satisfied"),
    "satisfied_only": _l("“Satisfied” only"),
}


@dataclass
class CampaignData:
    """What the city federation sets on a campaign."""

    name: str
    year: int | None
    level: str
    award_types: list[str]
    status: str
    deadlines: dict[Stage, date | None] = field(default_factory=dict)
    quotas: dict[int, int | None] = field(default_factory=dict)
    standard_version_id: int | None = None
    evaluation_rule: str = "satisfied_or_basic"
    evaluation_min_turnout: Decimal | None = None  # a fraction, e.g. 0.5
    review_working_days: int | None = None  # None: the 审核截止 date
    publicity_working_days: int = 5


def quota_districts(organizer_id: int) -> list[Organization]:
    """The district federations and industry unions directly under the organiser."""
    return list(
        db.session.scalars(
            select(Organization)
            .where(Organization.parent_id == organizer_id, Organization.level.in_(DISTRICT_LEVELS))
            .order_by(Organization.code)
        )
    )


def _validate(
    data: CampaignData, districts: list[Organization], campaign: Campaign | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = [_("Please enter the campaign's name.")]
    elif len(name) > 200:
        errors["name"] = [_("The campaign's name has at most %(n)s characters.", n=200)]
    if data.year is None or not 2000 <= data.year <= 2100:
        errors["year"] = [_("The year must lie between 2000 and 2100.")]
    if data.level not in set(CampaignLevel):
        errors["level"] = [_("Please choose the campaign's level.")]
    if data.status not in set(CampaignStatus):
        errors["status"] = [_("Please choose the campaign's status.")]
    awards = list(dict.fromkeys(data.award_types or []))
    if not awards:
        errors["award_types"] = [_("Please choose at least one award.")]
    elif any(a not in set(AwardType) for a in awards):
        errors["award_types"] = [_("Not a valid award.")]

    # Each date no earlier than the latest earlier stage that has one.
    previous: tuple[Stage, date] | None = None
    for stage in STAGE_ORDER:
        due = data.deadlines.get(stage)
        if due is None:
            continue
        if previous is not None and due < previous[1]:
            errors[deadline_field(stage)] = [
                _(
                    "“%(stage)s” cannot be earlier than “%(earlier)s” (%(date)s).",
                    stage=label(STAGE_LABELS[stage]),
                    earlier=label(STAGE_LABELS[previous[0]]),
                    date=previous[1].isoformat(),
                )
            ]
        else:
            previous = (stage, due)

    if data.standard_version_id is None:
        errors["standard_version_id"] = [_("Please choose the standard this campaign uses.")]
    elif db.session.get(StandardVersion, data.standard_version_id) is None:
        errors["standard_version_id"] = [_("The standard does not exist.")]
    if data.evaluation_rule not in EVALUATION_RULES:
        errors["evaluation_rule"] = [_("Please choose how satisfaction is counted.")]
    if data.evaluation_min_turnout is not None and not 0 < data.evaluation_min_turnout <= 1:
        errors["evaluation_min_turnout"] = [
            _("The minimum turnout is above 0 and at most 1 (0.5 is 50 per cent).")
        ]
    if data.review_working_days is not None and not 1 <= data.review_working_days <= 60:
        errors["review_working_days"] = [
            _("The review time is 1 to 60 working days; leave it empty for no limit.")
        ]
    if not 1 <= (data.publicity_working_days or 0) <= 30:
        errors["publicity_working_days"] = [_("The publicity period is 1 to 30 working days.")]

    allowed = {d.id for d in districts}
    for district_id, quota in data.quotas.items():
        if district_id not in allowed:
            errors[quota_field(district_id)] = [
                _("This organisation is not one of the city's district or industry unions.")
            ]
        elif quota is None or quota < 0:
            errors[quota_field(district_id)] = [_("A quota is a whole number, 0 or more.")]

    if campaign is not None:
        from app.nominations.models import Nomination  # nominations build on campaigns

        # What nominations already rely on may not be taken away under them.
        used = db.session.execute(
            select(Nomination.award_type, func.count())
            .where(Nomination.campaign_id == campaign.id)
            .group_by(Nomination.award_type)
        ).all()
        if used and data.status == CampaignStatus.DRAFT:
            errors.setdefault("status", []).append(
                _("A campaign with nominations cannot go back to being prepared.")
            )
        if used and data.standard_version_id != campaign.standard_version_id:
            # A pinned standard never changes under nominations already under way.
            errors.setdefault("standard_version_id", []).append(
                _("A campaign with nominations cannot change its standard.")
            )
        dropped = [label(AWARD_LABELS[AwardType(a)]) for a, _count in used if a not in awards]
        if dropped and "award_types" not in errors:
            errors["award_types"] = [
                _(
                    "There are nominations for “%(awards)s”: the award cannot be dropped.",
                    awards=pgettext("list separator", ", ").join(dropped),
                )
            ]
    return errors


def _apply(campaign: Campaign, data: CampaignData) -> None:
    """Copy validated data onto the campaign (`_validate` found no error)."""
    assert data.year is not None
    campaign.name = data.name.strip()
    campaign.year = data.year
    campaign.level = CampaignLevel(data.level)
    campaign.status = CampaignStatus(data.status)
    campaign.award_types = [a.value for a in AwardType if a.value in data.award_types]
    campaign.standard_version_id = data.standard_version_id
    campaign.evaluation_rule = data.evaluation_rule
    campaign.evaluation_min_turnout = data.evaluation_min_turnout
    campaign.review_working_days = data.review_working_days
    campaign.publicity_working_days = data.publicity_working_days

    # Update rows in place: the (campaign, stage) and (campaign, district) keys are unique.
    existing = {d.stage: d for d in campaign.deadlines}
    for stage in STAGE_ORDER:
        due = data.deadlines.get(stage)
        row = existing.get(stage)
        if due is None and row is not None:
            campaign.deadlines.remove(row)
        elif due is not None and row is not None:
            row.due_date = due
        elif due is not None:
            campaign.deadlines.append(CampaignDeadline(stage=stage, due_date=due))
    quotas = {q.district_id: q for q in campaign.quotas}
    for district_id, quota in data.quotas.items():
        assert quota is not None
        if district_id in quotas:
            quotas[district_id].quota = quota
        else:
            campaign.quotas.append(CampaignQuota(district_id=district_id, quota=quota))


def create_campaign(user: User, data: CampaignData) -> Campaign:
    """The city federation sets up a campaign with its calendar and district quotas."""
    organizer = policy.organizer_for(user)
    errors = _validate(data, quota_districts(organizer.id), None)
    if errors:
        raise Invalid(_("The campaign has errors."), errors=errors)
    campaign = Campaign(organizer_id=organizer.id, award_types=[])
    _apply(campaign, data)
    db.session.add(campaign)
    db.session.commit()
    return campaign


def update_campaign(user: User, campaign_id: int, data: CampaignData) -> Campaign:
    """The organising city federation changes a campaign, its calendar or its quotas."""
    campaign = get_campaign(user, campaign_id)
    policy.require_manage(user, campaign)
    errors = _validate(data, quota_districts(campaign.organizer_id), campaign)
    if errors:
        raise Invalid(_("The campaign has errors."), errors=errors)
    _apply(campaign, data)
    db.session.flush()
    from app.nominations.deadlines import refresh_campaign  # the calendar may have moved

    refresh_campaign(campaign.id)
    db.session.commit()
    return campaign


# -- the summary on the campaign page -----------------------------------------------------


@dataclass
class SummaryRow:
    key: str | int | None
    label: str
    count: int
    quota: int | None = None


@dataclass
class NominationSummary:
    by_state: list[SummaryRow]
    by_district: list[SummaryRow]
    total: int


def nomination_summary(user: User, campaign: Campaign) -> NominationSummary:
    """Nominations of the campaign the user may see, by state and by district.

    One GROUP BY over (district, state); the two breakdowns are its margins.
    """
    from app.nominations.models import Nomination  # nominations build on campaigns

    district = aliased(Organization)
    district_ids = select(Organization.id).where(Organization.level.in_(DISTRICT_LEVELS))
    rows = db.session.execute(
        select(district.id, district.code, district.name, Nomination.status, func.count())
        .select_from(Nomination)
        .outerjoin(
            OrgClosure,
            and_(
                OrgClosure.descendant_id == Nomination.org_id,
                OrgClosure.ancestor_id.in_(district_ids),
            ),
        )
        .outerjoin(district, district.id == OrgClosure.ancestor_id)
        .where(
            Nomination.campaign_id == campaign.id,
            visible_org_clause(user, Nomination.org_id.expression),
        )
        .group_by(district.id, district.code, district.name, Nomination.status)
    ).all()

    states: dict[str, int] = {}
    districts: dict[int | None, tuple[str, str, int]] = {}
    for district_id, code, name, status, count in rows:
        states[status] = states.get(status, 0) + count
        _code, _name, so_far = districts.get(district_id, (code or "", name or "", 0))
        districts[district_id] = (code or "", name or "", so_far + count)
    quotas: dict[int | None, int] = {q.district_id: q.quota for q in campaign.quotas}
    by_state = [SummaryRow(s, STATE_LABELS[s], states[s]) for s in STATE_NAMES if s in states]
    by_district = [
        SummaryRow(district_id, name, count, quotas.get(district_id))
        for district_id, (code, name, count) in sorted(
            districts.items(), key=lambda item: (item[0] is None, item[1][0])
        )
    ]
    return NominationSummary(by_state, by_district, sum(states.values()))
