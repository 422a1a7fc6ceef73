"""The nomination page, composed: the nomination, its actions, its stage cards, its history.

Rendered by the nomination routes and, with what the user typed, by a stage's own view
that refuses a form posted from one of its cards (the card gets it back as `state`).
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_login import current_user

from app.nominations.cards import build_cards
from app.nominations.forms import ActionForm
from app.nominations.models import Nomination
from app.nominations.services import history, workflow_for
from workflows.nomination import STAGES, STATE_STAGE

STAGE_ORDER = [s["name"] for s in STAGES]


def render_detail(
    nomination: Nomination,
    *,
    form: ActionForm | None = None,
    status: int = 200,
    card_state: dict[str, Any] | None = None,
) -> tuple[str, int]:
    """The page of a nomination the current user may see (the caller has checked that).

    `form` is an action form posted and refused, shown again with its comment and errors;
    `card_state` goes to the stage cards by name.
    """
    options = workflow_for(current_user, nomination).options()
    forms = {}
    for option in options:
        name = option.action.name
        if form is not None and form.action.data == name:
            forms[name] = form
        else:
            forms[name] = ActionForm(formdata=None, action=name, version=nomination.version)
    cards = build_cards(current_user, nomination, card_state)
    return render_template(
        "nominations/detail.html",
        nomination=nomination,
        cards=cards,
        card_data={c.name: c.data for c in cards},
        options=options,
        forms=forms,
        events=history(nomination),
        stages=STAGES,
        current_stage_index=STAGE_ORDER.index(STATE_STAGE[nomination.status]),
    ), status
