"""Deactivating an organisation: an explicit, audited act on the page and in the API; the
organisation keeps its history but files no new nomination and gets no new role; the city
federation cannot be deactivated; active again undoes it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin.models import AdminAudit
from app.auth.models import SessionKind
from app.auth.services import start_session
from app.errors import Invalid
from app.extensions import db
from app.nominations.services import create_nomination
from tests.conftest import csrf_from


def _api(client, world, key="admin"):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {start_session(world.user(key), SessionKind.API)[0]}"}
    return lambda path, body: client.patch(f"/api/v1/admin{path}", json=body, headers=headers)


def test_the_api_deactivates_and_reactivates_with_an_audit_row_each(world, client):
    patch = _api(client, world)
    org = world.union_a2
    off = patch(f"/organizations/{org.id}", {"is_active": False, "address": "某路 2 号"})
    assert off.status_code == 200 and off.json["is_active"] is False
    assert off.json["address"] == "某路 2 号"
    db.session.expire_all()
    assert not org.is_active
    on = patch(f"/organizations/{org.id}", {"is_active": True})
    assert on.json["is_active"] is True
    actions = db.session.scalars(
        select(AdminAudit.action).where(AdminAudit.target_id == org.id).order_by(AdminAudit.id)
    ).all()
    assert actions == ["org.update", "org.deactivate", "org.activate"]
    city = patch(f"/organizations/{world.city.id}", {"is_active": False})
    assert city.status_code == 409 and "市总工会" in city.json["message"]
    bad = patch(f"/organizations/{org.id}", {"contact_phone": "打电话"})
    assert bad.status_code == 422 and "contact_phone" in bad.json["errors"]
    assert (
        _api(client, world, "city")(f"/organizations/{org.id}", {"is_active": False}).status_code
        == 403
    )


def test_a_deactivated_union_files_no_new_nomination_and_gets_no_new_role(world, ctx):
    from app.admin.services import grant_role, set_org_active

    admin = world.user("admin")
    set_org_active(admin, world.union_a, False)
    with pytest.raises(Invalid) as refused:
        create_nomination(
            world.user("union_a"), campaign_id=world.campaign.id, award_type="model_home"
        )
    assert "已停用" in refused.value.errors["org_code"][0]
    with pytest.raises(Invalid) as no_role:
        grant_role(admin, world.user("inspector"), role="union", org_id=world.union_a.id)
    assert "已停用" in no_role.value.errors["org_id"][0]
    set_org_active(admin, world.union_a, True)
    assert create_nomination(
        world.user("union_a"), campaign_id=world.campaign.id, award_type="model_home"
    ).id


def test_the_page_asks_then_deactivates_and_the_list_says_so(world, client, auth):
    auth.login("admin")
    org = world.union_a2
    page = client.get(f"/admin/orgs/{org.id}/edit")
    assert 'data-testid="org-active"' in page.text and "data-confirm" in page.text
    done = client.post(
        f"/admin/orgs/{org.id}/active",
        data={"csrf_token": csrf_from(page.text), "active": "0"},
        follow_redirects=True,
    )
    assert "已停用" in done.text
    listing = client.get(f"/admin/orgs?q={org.code}")
    assert 'data-testid="org-inactive"' in listing.text
    saved = client.post(
        f"/admin/orgs/{org.id}/edit",
        data={
            "csrf_token": csrf_from(listing.text),
            "name": org.name,
            "category": org.category.value,
            "address": "某路 3 号",
            "contact_phone": "0571-1234567",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert (org.address, org.contact_phone) == ("某路 3 号", "0571-1234567")


def test_the_page_refuses_to_deactivate_the_city_in_words(world, client, auth):
    auth.login("admin")
    page = client.get(f"/admin/orgs/{world.city.id}/edit")
    assert 'data-testid="org-active"' not in page.text  # not offered
    refused = client.post(
        f"/admin/orgs/{world.city.id}/active",
        data={"csrf_token": csrf_from(page.text), "active": "0"},
        follow_redirects=True,
    )
    assert "市总工会不能停用" in refused.text
    db.session.expire_all()
    assert world.city.is_active
