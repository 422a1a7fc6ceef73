"""Import standard files as versions, look versions and items up, pin one on a campaign.

A version is immutable once imported: importing an edited file makes the next version of
the same code, and a campaign keeps the version it pinned, so items already assessed never
change under a nomination.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, NotFound
from app.extensions import db
from app.orgs.models import OrgCategory
from app.standards.loader import load_standard
from app.standards.models import StandardItem, StandardVersion

DATA_DIR = Path(__file__).with_name("data")
DEFAULT_STANDARD_FILE = DATA_DIR / "qingdao-2020.yaml"
DEFAULT_STANDARD_CODE = "qingdao-2020"  # the `code` inside DEFAULT_STANDARD_FILE


def import_standard(path: str | Path) -> tuple[StandardVersion, bool]:
    """Import a standard file; return (version, created).

    The same code with the same file bytes returns the existing version (created=False);
    anything else becomes version max+1 of that code, with all its items in one insert.
    """
    content, checksum = load_standard(path)
    code = content["code"]
    existing = _find(code, checksum)
    if existing is not None:
        return existing, False
    try:
        with db.session.begin_nested():
            version = StandardVersion(
                code=code,
                version=_next_version_number(code),
                title=content["title"],
                checksum=checksum,
                content=content,
            )
            db.session.add(version)
            db.session.flush()
            db.session.execute(insert(StandardItem), _item_rows(version.id, content))
    except IntegrityError:
        # Another import of the same code committed first: same file -> use it; a different
        # file took the version number we computed -> let the caller retry.
        existing = _find(code, checksum)
        if existing is not None:
            return existing, False
        raise Conflict(
            _(
                "The standard %(code)s is being written by another import; please try again "
                "shortly",
                code=code,
            )
        ) from None
    db.session.commit()
    return version, True


def _find(code: str, checksum: str) -> StandardVersion | None:
    return db.session.scalar(
        select(StandardVersion).where(
            StandardVersion.code == code, StandardVersion.checksum == checksum
        )
    )


def _next_version_number(code: str) -> int:
    current = db.session.scalar(
        select(func.max(StandardVersion.version)).where(StandardVersion.code == code)
    )
    return (current or 0) + 1


def _item_rows(version_id: int, content: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    position = 0
    for category, body in content["categories"].items():
        for dimension in body["dimensions"]:
            for item in dimension["items"]:
                position += 1
                rows.append(
                    {
                        "version_id": version_id,
                        "category": OrgCategory(category),
                        "dimension": dimension["code"],
                        "dimension_label": dimension["label"],
                        "code": item["code"],
                        "number": item["number"],
                        "text": item["text"],
                        "na_allowed": item["na_allowed"],
                        "evidence_hint": item["evidence"],
                        "position": position,
                    }
                )
    return rows


def latest_version(code: str) -> StandardVersion | None:
    return db.session.scalar(
        select(StandardVersion)
        .where(StandardVersion.code == code)
        .order_by(StandardVersion.version.desc())
        .limit(1)
    )


def items_for(version_id: int, category: OrgCategory | str) -> list[StandardItem]:
    """One category's items of one version, in file order."""
    return list(
        db.session.scalars(
            select(StandardItem)
            .where(
                StandardItem.version_id == version_id,
                StandardItem.category == OrgCategory(category),
            )
            .order_by(StandardItem.position)
        )
    )


def item_counts(version_id: int) -> dict[OrgCategory, int]:
    """How many items each category has in a version (categories in enum order)."""
    rows = dict(
        db.session.execute(
            select(StandardItem.category, func.count())
            .where(StandardItem.version_id == version_id)
            .group_by(StandardItem.category)
        )
        .tuples()
        .all()
    )
    return {category: rows.get(category, 0) for category in OrgCategory}


def ensure_default_standard() -> StandardVersion:
    """The bundled standard's latest version, importing the bundled file if there is none."""
    version = latest_version(DEFAULT_STANDARD_CODE)
    if version is None:
        version, _created = import_standard(DEFAULT_STANDARD_FILE)
    return version


def pin_version(campaign_id: int, version: StandardVersion) -> bool:
    """Pin `version` on a campaign; return False if it was already pinned there.

    Allowed while the campaign has no version or no nominations; a pinned version never
    changes under running nominations (Conflict).
    """
    from app.campaigns.models import Campaign
    from app.nominations.models import Nomination

    campaign = db.session.get(Campaign, campaign_id, with_for_update=True)
    if campaign is None:
        raise NotFound(_("There is no campaign number %(id)s", id=campaign_id))
    if campaign.standard_version_id == version.id:
        return False
    if campaign.standard_version_id is not None:
        has_nominations = db.session.scalar(
            select(select(Nomination.id).where(Nomination.campaign_id == campaign.id).exists())
        )
        if has_nominations:
            pinned = campaign.standard_version
            raise Conflict(
                _(
                    "The campaign “%(name)s” has pinned %(standard)s and has nominations, so "
                    "it cannot change: a pinned version never changes while nominations are "
                    "under way.",
                    name=campaign.name,
                    standard=pinned.label if pinned else _("its standard"),
                )
            )
    campaign.standard_version_id = version.id
    db.session.commit()
    return True


def standard_versions() -> list[StandardVersion]:
    """Every imported version, newest first (for choosing one on a campaign)."""
    return list(
        db.session.scalars(
            select(StandardVersion).order_by(
                StandardVersion.imported_at.desc(), StandardVersion.id.desc()
            )
        )
    )
