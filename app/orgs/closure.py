"""The closure table rebuilt in bulk from the parent links (the roster import adds
thousands of organisations at once; `app.orgs.services.create_org` adds one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, literal, select, true

from app.extensions import db
from app.orgs.models import Organization, OrgClosure

CHUNK = 5_000


def _walk(start: Any) -> Any:
    """(ancestor, descendant, depth) from each starting organisation up to the root."""
    walk = (
        select(
            Organization.id.label("ancestor_id"),
            Organization.id.label("descendant_id"),
            literal(0).label("depth"),
        )
        .where(start)
        .cte("walk", recursive=True)
    )
    up = select(Organization.parent_id, walk.c.descendant_id, walk.c.depth + 1).join(
        Organization, Organization.id == walk.c.ancestor_id
    )
    walk = walk.union_all(up.where(Organization.parent_id.is_not(None)))
    return select(walk.c.ancestor_id, walk.c.descendant_id, walk.c.depth)


def closure_for(new_ids: Sequence[int]) -> None:
    """Closure rows of new organisations (nothing above them moved)."""
    for i in range(0, len(new_ids), CHUNK):
        start = Organization.id.in_(new_ids[i : i + CHUNK])
        db.session.execute(
            insert(OrgClosure).from_select(["ancestor_id", "descendant_id", "depth"], _walk(start))
        )


def rebuild_closure() -> None:
    """The whole closure table again from the parent links: two statements."""
    db.session.execute(delete(OrgClosure))
    db.session.execute(
        insert(OrgClosure).from_select(["ancestor_id", "descendant_id", "depth"], _walk(true()))
    )
