"""Pages run a constant number of SQL statements, whatever the number of rows (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.extensions import db


@contextmanager
def count_queries():
    counter = {"n": 0}

    def _count(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        counter["n"] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def _queries_for(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, response.text
    return counter["n"]


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/nominations/",
        "/nominations/?state=submitted",
        "/campaigns/",
        "/admin/users",
        "/admin/orgs",
    ],
)
def test_page_queries_do_not_grow_with_rows(world, client, auth, url):
    auth.login("admin" if url.startswith("/admin") else "city")
    for org in (world.union_a, world.union_b):
        world.nomination(org=org, status="submitted")
    few = _queries_for(client, url)
    for _ in range(15):
        world.nomination(org=world.union_a, status="submitted")
        world.nomination(org=world.union_b, status="candidate")
    many = _queries_for(client, url)
    assert many == few, f"{url}: {few} statements with few rows, {many} with many"
    assert few <= 14


def test_nomination_page_queries_do_not_grow_with_history(world, client, auth):
    from app.nominations.services import take_action

    nomination = world.nomination(status="draft")
    auth.login("union_a")
    few = _queries_for(client, f"/nominations/{nomination.id}")
    for _ in range(10):
        take_action(world.user("union_a"), nomination.id, "submit")
        take_action(world.user("reviewer_a"), nomination.id, "return", comment="请补充")
    many = _queries_for(client, f"/nominations/{nomination.id}")
    assert many == few and few <= 14
