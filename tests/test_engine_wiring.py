"""How the stages plug into the engine and the core: guards by name, checked once per action;
registries that refuse a second, different entry; a factory that will not start with a
guard missing; a page action that reads the nomination once."""

from __future__ import annotations

import dataclasses
import types

import pytest

from app import create_app
from app.nominations import cards, effects
from app.nominations import routes as nomination_routes
from app.nominations import services as nomination_services
from app.nominations.services import take_action
from tests.conftest import csrf_from
from workflows.guards import GUARDS, GuardRegistry, guard
from workflows.nomination import ACTIONS


def _counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Wrap the registered guard `name` so that each call is counted."""
    calls: list[int] = []
    original = GUARDS._guards[name]

    def counted(nomination):  # type: ignore[no-untyped-def]
        calls.append(nomination.id)
        return original(nomination)

    monkeypatch.setitem(GUARDS._guards, name, counted)
    return calls


def test_a_manual_action_runs_each_of_its_guards_once(world, ctx, monkeypatch):
    nomination = world.nomination(status="draft", complete=True)
    complete = _counting(monkeypatch, "self_assessment_complete")
    campaign_open = _counting(monkeypatch, "campaign_open")
    take_action(world.user("union_a"), nomination.id, "submit")
    assert nomination.status == "submitted"
    assert complete == [nomination.id] and campaign_open == [nomination.id]


def test_a_refused_guard_is_still_checked_once_and_says_why(world, ctx, monkeypatch):
    nomination = world.nomination(status="draft", complete=False)
    complete = _counting(monkeypatch, "self_assessment_complete")
    from workflows.engine import GuardFailed

    with pytest.raises(GuardFailed) as refused:
        take_action(world.user("union_a"), nomination.id, "submit")
    assert refused.value.problems and complete == [nomination.id]


def test_the_page_action_reads_the_nomination_once(world, client, auth, monkeypatch):
    nomination = world.nomination(status="draft", complete=True)
    reads: list[int] = []
    original = nomination_services.get_nomination

    def counted(user, nomination_id):  # type: ignore[no-untyped-def]
        reads.append(nomination_id)
        return original(user, nomination_id)

    # Wherever the page reads it: the routes' name and the services' own.
    monkeypatch.setattr(nomination_services, "get_nomination", counted)
    monkeypatch.setattr(nomination_routes, "get_nomination", counted)
    auth.login("union_a")
    page = client.get(f"/nominations/{nomination.id}")
    assert reads == [nomination.id]
    token = csrf_from(page.text)
    reads.clear()
    done = client.post(
        f"/nominations/{nomination.id}/actions",
        data={"csrf_token": token, "action": "submit", "version": nomination.version},
    )
    assert done.status_code == 302
    assert reads == [nomination.id]


def test_every_guard_the_definition_names_is_registered():
    named = {g for action in ACTIONS.values() for g in action.guards}
    assert named and all(name in GUARDS for name in named)


def test_the_factory_refuses_to_start_with_a_guard_nobody_registered(monkeypatch):
    submit = ACTIONS["submit"]
    monkeypatch.setitem(
        ACTIONS, "submit", dataclasses.replace(submit, guards=(*submit.guards, "nobody_wrote_it"))
    )
    with pytest.raises(ValueError, match="nobody_wrote_it"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_a_guard_is_registered_from_its_module_only_when_marked():
    registry = GuardRegistry()

    @guard("always_fine")
    def fine(nomination: object) -> list[str]:
        return []

    def unmarked(nomination: object) -> list[str]:
        return ["never registered"]

    module = types.ModuleType("stage_guards")
    module.fine = fine  # type: ignore[attr-defined]
    module.unmarked = unmarked  # type: ignore[attr-defined]
    assert registry.register_module(module) == ["always_fine"]
    registry.register_module(module)  # again: harmless
    assert registry.problems(["always_fine"], object()) == []
    with pytest.raises(LookupError):
        registry.problems(["unmarked"], object())

    @guard("always_fine")
    def impostor(nomination: object) -> list[str]:
        return ["another body under the same name"]

    with pytest.raises(ValueError, match="registered twice"):
        registry.register("always_fine", impostor)


def test_a_card_name_cannot_be_taken_twice():
    card = cards.Card("test-card", "x.html", lambda user, nomination, state: None, order=99)
    cards.register(card)
    cards.register(card)  # the same card again: harmless
    try:
        with pytest.raises(ValueError):
            cards.register(cards.Card("test-card", "y.html", card.build, order=99))
    finally:
        cards._CARDS.pop("test-card")


def test_workflow_hooks_register_only_from_the_module_that_marks_them():
    ran: list[str] = []

    @effects.after("test-action")
    def hook(nomination: object) -> None:
        ran.append("after")

    effects.run_after(object(), "test-action")
    assert ran == []  # marked, not registered: importing a module registers nothing
    module = types.ModuleType("stage_effects")
    module.hook = hook  # type: ignore[attr-defined]
    try:
        effects.register_module(module)
        effects.register_module(module)  # once only
        effects.run_after(object(), "test-action")
        assert ran == ["after"]
    finally:
        effects._AFTER.pop("test-action", None)
