"""The sample roster under docs/samples (the README's import command): it imports cleanly
under the city federation C, the users after the organisations, and again changes nothing."""

from __future__ import annotations

from app.admin.imports import kind_columns
from app.admin.org_import import apply_orgs, plan_orgs
from app.admin.sheets import read_rows
from app.admin.user_import import apply_users, plan_users
from app.extensions import db
from app.settings import BASE_DIR

SAMPLES = BASE_DIR / "docs" / "samples"


def _rows(kind: str):  # type: ignore[no-untyped-def]
    path = SAMPLES / f"{kind}.xlsx"
    return read_rows(path.name, path.read_bytes(), kind_columns(kind))


def test_the_samples_import_under_the_city_and_again_change_nothing(world):
    orgs = plan_orgs(None, _rows("orgs"))
    assert orgs.ok, orgs.problems
    assert len(orgs.created) == 7
    apply_orgs(None, orgs)
    users = plan_users(None, _rows("users"))
    assert users.ok, users.problems
    assert len(users.created) == 7
    apply_users(None, users)
    db.session.commit()
    assert plan_orgs(None, _rows("orgs")).created == []
    again = plan_users(None, _rows("users"))
    assert again.created == [] and again.changed == []
