"""Nominations: list, create, read, and take workflow actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from app.api.security import ApiBlueprint
from app.auth.models import User
from app.auth.session import api_user
from app.extensions import db
from app.nominations.models import Nomination, NominationEvent
from app.nominations.schemas import (
    MAX_PER_PAGE,
    ActionRequestSchema,
    NominationCreateSchema,
    NominationDetailSchema,
    NominationPageSchema,
    NominationQuerySchema,
)
from app.nominations.services import (
    NominationFilters,
    create_nomination,
    get_nomination,
    history,
    take_action,
    visible_nominations,
    workflow_for,
)
from workflows.nomination import ACTIONS

blp = ApiBlueprint(
    "api_nominations", __name__, url_prefix="/api/v1", description="Nominations and their workflow."
)

MANUAL_ACTIONS = [a.name for a in ACTIONS.values() if a.manual]


@dataclass
class NominationView:
    """A nomination with what one user may do next and its audit trail, for dumping."""

    nomination: Nomination
    available_actions: list[str]
    history: list[NominationEvent]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.nomination, name)


def present(user: User, nomination: Nomination) -> NominationView:
    """The detail representation; `available_actions` comes from the engine, as on the page."""
    return NominationView(
        nomination, workflow_for(user, nomination).available(), history(nomination)
    )


@blp.route("/nominations")
class NominationList(MethodView):
    @blp.token_required
    @blp.arguments(NominationQuerySchema, location="query")
    @blp.response(200, NominationPageSchema)
    @blp.errors(422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Nominations the caller may see, most recently changed first, a page at a time."""
        filters = NominationFilters(
            campaign_id=args.get("campaign_id"),
            state=args.get("state"),
            district_id=args.get("district_id"),
            q=(args.get("q") or "").strip() or None,
        )
        page = args["page"]
        per_page = args.get("per_page") or min(current_app.config["PAGE_SIZE"], MAX_PER_PAGE)
        result = db.paginate(
            visible_nominations(api_user(), filters),
            page=page,
            per_page=per_page,
            error_out=False,
            count=True,
        )
        return {"items": result.items, "page": page, "per_page": per_page, "total": result.total}

    @blp.token_required
    @blp.arguments(NominationCreateSchema)
    @blp.response(201, NominationDetailSchema)
    @blp.errors(400, 403, 409, 422)
    def post(self, data: dict[str, Any]) -> Any:
        """Start a nomination (a draft) for the caller's union or a unit below it.

        403 for a user who is not a union; 409 when the unit already has one under way.
        """
        user = api_user()
        nomination = create_nomination(
            user,
            campaign_id=data["campaign_id"],
            award_type=data["award_type"],
            org_code=data["org_code"],
            nominee_name=data["nominee_name"],
        )
        location = url_for("api_nominations.NominationItem", nomination_id=nomination.id)
        return present(user, nomination), {"Location": location}


@blp.route("/nominations/<int:nomination_id>")
class NominationItem(MethodView):
    @blp.token_required
    @blp.response(200, NominationDetailSchema)
    @blp.errors(404)
    def get(self, nomination_id: int) -> NominationView:
        """One nomination: state, version, the actions the caller may take, its history.

        A nomination outside the caller's scope is answered 404, never 403.
        """
        user = api_user()
        return present(user, get_nomination(user, nomination_id))


@blp.route(
    "/nominations/<int:nomination_id>/actions/<action>",
    parameters=[
        {
            "in": "path",
            "name": "action",
            "required": True,
            "schema": {"type": "string", "enum": MANUAL_ACTIONS},
        }
    ],
)
class NominationAction(MethodView):
    @blp.token_required
    @blp.arguments(ActionRequestSchema)
    @blp.response(200, NominationDetailSchema)
    @blp.errors(400, 403, 404, 409, 422)
    def post(self, data: dict[str, Any], nomination_id: int, action: str) -> NominationView:
        """Take a workflow action, e.g. submit, return, approve, reject, withdraw.

        404 for a nomination the caller may not see or an unknown action; 403 when the
        caller's role may not take it; 409 when the state does not allow it, a guard fails
        or `version` is stale; 422 when a required comment is missing (`errors.comment`).
        A `return` needs no comment of its own when the round has review comments.
        """
        user = api_user()
        nomination = take_action(
            user, nomination_id, action, comment=data["comment"], version=data["version"]
        )
        return present(user, nomination)
