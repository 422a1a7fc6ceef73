"""Changing the organisation tree; the closure table is kept in step in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import Select, insert, literal, select

from app.errors import Invalid, NotFound
from app.extensions import db
from app.orgs.models import (
    ALLOWED_PARENT_LEVELS,
    DISTRICT_LEVELS,
    LEVEL_LABELS,
    Organization,
    OrgCategory,
    OrgClosure,
    OrgLevel,
)
from app.web.templating import label


def level_names(levels: Iterable[OrgLevel]) -> str:
    """Tiers as a message names them, in the reader's language: 区（县）总工会、产业工会."""
    return _(", ").join(label(LEVEL_LABELS[lv]) for lv in levels)


def _category_required() -> str:
    return _(
        "A grassroots union needs a category (enterprise / public institution / "
        "regional or industry)."
    )


def get_org_by_code(code: str) -> Organization:
    org = db.session.scalar(select(Organization).where(Organization.code == code))
    if org is None:
        raise NotFound(
            _("There is no organisation with the code “%(code)s”.", code=code),
            errors={"org_code": [_("No such organisation.")]},
        )
    return org


def create_org(
    *,
    code: str,
    name: str,
    level: OrgLevel,
    parent: Organization | None = None,
    category: OrgCategory | None = None,
    is_state_owned: bool = False,
    staff_count: int | None = None,
    member_count: int | None = None,
) -> Organization:
    """Add an organisation under `parent`, with its closure rows."""
    level = OrgLevel(level)
    errors: dict[str, list[str]] = {}
    if db.session.scalar(select(Organization.id).where(Organization.code == code)):
        errors["code"] = [_("The code “%(code)s” is already in use.", code=code)]
    allowed = ALLOWED_PARENT_LEVELS[level]
    if allowed and (parent is None or parent.level not in allowed):
        errors["parent"] = [
            _(
                "The parent of a %(level)s must be a %(parents)s.",
                level=label(LEVEL_LABELS[level]),
                parents=level_names(allowed),
            )
        ]
    if not allowed and parent is not None:
        errors["parent"] = [
            _("A %(level)s has no parent organisation.", level=label(LEVEL_LABELS[level]))
        ]
    if level == OrgLevel.GRASSROOTS and category is None:
        errors["category"] = [_category_required()]
    if staff_count is not None and member_count is not None and member_count > staff_count:
        errors["member_count"] = [_("There cannot be more members than staff.")]
    if errors:
        raise Invalid(_("The organisation's details are not right."), errors=errors)

    org = Organization(
        code=code,
        name=name,
        level=level,
        parent=parent,
        category=category if level in (OrgLevel.GRASSROOTS, OrgLevel.BRANCH) else None,
        is_state_owned=is_state_owned and category == OrgCategory.ENTERPRISE,
        staff_count=staff_count,
        member_count=member_count,
    )
    db.session.add(org)
    db.session.flush()
    # Ancestors of the parent become ancestors of the new node, one level deeper.
    db.session.execute(insert(OrgClosure).values(ancestor_id=org.id, descendant_id=org.id, depth=0))
    if parent is not None:
        db.session.execute(
            insert(OrgClosure).from_select(
                ["ancestor_id", "descendant_id", "depth"],
                select(OrgClosure.ancestor_id, literal(org.id), OrgClosure.depth + 1).where(
                    OrgClosure.descendant_id == parent.id
                ),
            )
        )
    return org


def district_of(org_id: int) -> Organization | None:
    """The district federation (or industry union) above an organisation."""
    return db.session.scalar(
        select(Organization)
        .join(OrgClosure, OrgClosure.ancestor_id == Organization.id)
        .where(
            OrgClosure.descendant_id == org_id,
            Organization.level.in_(DISTRICT_LEVELS),
        )
    )


def update_org(
    org: Organization,
    *,
    name: str,
    category: OrgCategory | None = None,
    is_state_owned: bool = False,
    staff_count: int | None = None,
    member_count: int | None = None,
) -> Organization:
    """Change an organisation's name, category, 国有企业 flag and counts (never code or parent).

    The category and the flag choose the standard and its thresholds, so they stay fixed
    while one of the organisation's nominations is under way. The caller commits.
    """
    from app.nominations.models import Nomination  # the org tree sits below nominations
    from workflows.nomination import FINAL_STATES

    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Please fill in the organisation's name.")]
    if category is not None:
        category = OrgCategory(category)
    if org.level not in (OrgLevel.GRASSROOTS, OrgLevel.BRANCH):
        category = None
    elif org.level == OrgLevel.GRASSROOTS and category is None:
        errors["category"] = [_category_required()]
    is_state_owned = bool(is_state_owned) and category == OrgCategory.ENTERPRISE
    for key, value in (("staff_count", staff_count), ("member_count", member_count)):
        if value is not None and value < 0:
            errors[key] = [_("A number of people cannot be negative.")]
    if staff_count is not None and member_count is not None and member_count > staff_count:
        errors.setdefault("member_count", []).append(_("There cannot be more members than staff."))
    if (category, is_state_owned) != (org.category, org.is_state_owned):
        under_way = db.session.scalar(
            select(Nomination.id)
            .where(
                Nomination.org_id == org.id,
                Nomination.status.not_in([*FINAL_STATES, "commended"]),
            )
            .limit(1)
        )
        if under_way:
            field = "category" if category != org.category else "is_state_owned"
            errors.setdefault(field, []).append(
                _(
                    "This organisation has a nomination under way (No. %(id)s): its category "
                    "and state-owned flag cannot change.",
                    id=under_way,
                )
            )
    if errors:
        raise Invalid(_("The organisation's details are not right."), errors=errors)

    org.name = name
    org.category = category
    org.is_state_owned = is_state_owned
    org.staff_count = staff_count
    org.member_count = member_count
    db.session.flush()
    return org


def org_paths(org_ids: list[int] | Select) -> dict[int, tuple[str, ...]]:
    """Each organisation's path of codes from the root down, in one closure-table query.

    `org_ids` is a list or a subquery of ids. Sorting by the path lists the tree
    depth-first; its length less one is the depth.
    """
    if isinstance(org_ids, list) and not org_ids:
        return {}
    rows = db.session.execute(
        select(OrgClosure.descendant_id, Organization.code, OrgClosure.depth)
        .join(Organization, Organization.id == OrgClosure.ancestor_id)
        .where(OrgClosure.descendant_id.in_(org_ids))
    )
    ancestors: dict[int, list[tuple[int, str]]] = {}
    for descendant_id, code, depth in rows:
        ancestors.setdefault(descendant_id, []).append((depth, code))
    return {
        org_id: tuple(code for _depth, code in sorted(pairs, reverse=True))
        for org_id, pairs in ancestors.items()
    }
