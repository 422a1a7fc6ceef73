"""The command-line tools: seed-demo and create-user are idempotent."""

from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import RoleAssignment, User
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import Organization


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Organization, User, RoleAssignment, Nomination)
    )


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    with app.app_context():
        first = runner.invoke(args=["seed-demo"])
        assert first.exit_code == 0, first.output
        assert "reviewer-d1" in first.output and "zgzj-demo-2026" in first.output
        after_first = _counts()
        orgs, users, _roles, nominations = after_first
        assert orgs >= 20 + 4 and users >= 20 and nominations >= 10
        states = set(db.session.scalars(select(Nomination.status)))
        assert {
            "draft",
            "submitted",
            "returned",
            "member_evaluation",
            "rejected",
            "withdrawn",
            "spot_check",
            "publicity",
        } <= states
        # the demo's draw verifies, and every drawn nomination has two inspectors
        from app.spot_checks.models import SpotCheck, SpotCheckDraw
        from app.spot_checks.services import verify_draw

        draw = db.session.scalar(select(SpotCheckDraw))
        assert verify_draw(draw.id).ok and len(draw.sample) == 3
        assert all(len(c.assignments) == 2 for c in db.session.scalars(select(SpotCheck)))
        second = runner.invoke(args=["seed-demo"])
        assert second.exit_code == 0, second.output
        assert _counts() == after_first


def test_create_user_is_idempotent(app, world):
    runner = app.test_cli_runner()
    args = [
        "create-user",
        "--username",
        "zhang",
        "--password",
        "secret-pass-1",
        "--role",
        "reviewer",
        "--org",
        "A",
    ]
    with app.app_context():
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert runner.invoke(args=args).exit_code == 0
        user = db.session.scalar(select(User).where(User.username == "zhang"))
        assert [(r.role, r.org.code) for r in user.roles] == [("reviewer", "A")]


def test_create_user_refuses_bad_input(app, world):
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(
            args=[
                "create-user",
                "--username",
                "li",
                "--password",
                "short",
                "--role",
                "union",
                "--org",
                "A-1",
            ]
        )
        assert result.exit_code != 0 and "密码" in result.output
        result = runner.invoke(
            args=[
                "create-user",
                "--username",
                "li",
                "--password",
                "long-enough-1",
                "--role",
                "union",
                "--org",
                "NOPE",
            ]
        )
        assert result.exit_code != 0 and "NOPE" in result.output
        result = runner.invoke(
            args=[
                "create-user",
                "--username",
                "li",
                "--password",
                "long-enough-1",
                "--role",
                "union",
                "--org",
                "A",
            ]
        )
        assert result.exit_code != 0 and "层级" in result.output
        assert db.session.scalar(select(User).where(User.username == "li")) is None
