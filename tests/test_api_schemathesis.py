"""schemathesis over every operation of /api/v1/openapi.json, as a union and as a reviewer.

Each operation gets a bounded number of generated requests, valid ones and ones that break
the document's rules. Most requests name objects that exist (their path parameters are
drawn from the rows of a scenario with objects at every stage), so that the server answers
with real bodies and real refusals, not only 404s. Every response must be no server error,
with a documented status and content type and a body that matches the documented schema.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from app.auth.models import SessionKind
from app.auth.services import start_session
from app.extensions import db
from app.timeutil import utcnow
from tests.test_api import Api
from workflows.nomination import ACTIONS

# Revoking the caller's own token would end the run's session: the one operation left out.
EXCLUDED = {("DELETE", "/api/v1/auth/token")}
EXAMPLES = 6  # per operation, mode and user: the whole run stays within a minute or two
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The table whose rows each integer path parameter names; `old` and `new` are round numbers.
PARAMETER_TABLES = {
    "campaign_id": "campaigns",
    "check_id": "spot_checks",
    "comment_id": "review_comments",
    "draw_id": "spot_check_draws",
    "evidence_id": "evidence",
    "inspector_id": "users",
    "item_id": "standard_items",
    "link_id": "evidence_links",
    "nomination_id": "nominations",
    "objection_id": "objections",
    "photo_id": "check_photos",
    "publicity_id": "publicities",
}


def _iso(delta: timedelta) -> str:
    return (utcnow() + delta).isoformat()


def _scenario(world, client) -> dict[str, list[Any]]:  # type: ignore[no-untyped-def]
    """Objects at every stage the two users meet: nominations of union A in several states,
    an open member evaluation with its tokens, a published list with an objection, a spot
    check. Returns, per path parameter, the values that name one of them."""
    from tests.factories import spot_check

    for status in ("draft", "submitted", "returned", "rejected"):
        world.nomination(status=status)
    union = Api(client, start_session(world.user("union_a"), SessionKind.API)[0])
    city = Api(client, start_session(world.user("city"), SessionKind.API)[0])
    evaluated = world.nomination(status="member_evaluation")
    opened = union.post(
        f"/nominations/{evaluated.id}/evaluation",
        json={"opens_at": _iso(-timedelta(minutes=1)), "closes_at": _iso(timedelta(days=2))},
    )
    assert opened.status_code == 201, opened.text
    tokens = union.get(f"/nominations/{evaluated.id}/evaluation/tokens").get_json()
    candidates = [
        world.nomination(org=o, status="candidate") for o in (world.union_a, world.union_b)
    ]
    selection = city.client.put(
        f"/api/v1/campaigns/{world.campaign.id}/commendation/selection",
        headers=city.headers,
        json={"choices": [{"nomination_id": n.id, "selected": True} for n in candidates]},
    )
    assert selection.status_code == 200, selection.text
    publicity = city.post(f"/campaigns/{world.campaign.id}/publicities", json={"title": "公示"})
    assert publicity.status_code == 201, publicity.text
    objection = client.post(
        f"/api/v1/publicities/{publicity.get_json()['id']}/objections",
        json={
            "nomination_id": candidates[0].id,
            "body": "该单位职代会近两年未召开，与申报材料不符。",
            "contact": "13912345678",
        },
    )
    assert objection.status_code == 201, objection.text
    spot_check(world, inspectors=("inspector",))

    pools: dict[str, list[Any]] = {"old": [1, 2], "new": [1, 2]}
    for parameter, table in PARAMETER_TABLES.items():
        key = db.metadata.tables[table].c.id
        pools[parameter] = list(db.session.scalars(select(key).order_by(key).limit(60)))
    pools["token"] = [t["token"] for t in tokens]
    pools["action"] = [a.name for a in ACTIONS.values() if a.manual]
    return {name: values for name, values in pools.items() if values}


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    call: Callable[[Any], Any],
    pools: dict[str, list[Any]],
    failures: dict[str, str],
) -> None:
    """Send the operation's generated requests; note the first that breaks the contract."""
    label = f"{operation.method.upper()} {operation.path}"
    existing = {
        p.name: st.sampled_from(pools[p.name]) for p in operation.path_parameters if p.name in pools
    }

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case: Any, data: Any) -> None:
        if label in failures:
            return
        # Three requests in four name objects that exist, the fourth what was generated.
        for name, values in existing.items():
            if name in (case.path_parameters or {}) and data.draw(st.integers(0, 3)):
                case.path_parameters[name] = data.draw(values)
        response = call(case)
        import os

        if os.environ.get("ST_STATS"):
            with open(os.environ["ST_STATS"], "a") as f:
                f.write(f"{label}\t{mode.value}\t{response.status_code}\n")
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # collected, reported at the end
            failures[label] = f"{mode.value}: {str(exc)[:2500]}"

    try:
        run()
    except Unsatisfiable:
        # Nothing in the operation can be made invalid (no parameters, no body).
        assert mode is GenerationMode.NEGATIVE, label


@pytest.mark.slow
@pytest.mark.parametrize("role", ["union_a", "reviewer_a"])
def test_every_operation_keeps_the_contract(app, client, world, role):  # type: ignore[no-untyped-def]
    pools = _scenario(world, client)
    headers = {"Authorization": f"Bearer {start_session(world.user(role), SessionKind.API)[0]}"}
    schema = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").get_json())
    schema.app = app
    failures: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(
                operation,
                mode,
                lambda case: case.call(session=client, headers=headers),
                pools,
                failures,
            )
        db.session.rollback()
    assert not failures, "\n\n".join(f"## {k}\n{v}" for k, v in sorted(failures.items()))
