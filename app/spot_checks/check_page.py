"""The check page (`/spot-checks/<id>`) as every view of it renders it: what the current user
may do there, the forms as the log stands, the marks of what each part of the form showed,
and the page itself (`render`), again with what was typed when a form is refused.

Shared by the views of the log and the conclusion (`inspect`) and of the rectification
(`rectify`); no view of its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app.auth.models import User
from app.errors import Invalid
from app.extensions import db
from app.nominations.models import Nomination
from app.spot_checks import policy, queries
from app.spot_checks.checks import ItemFinding, check_view, fingerprint
from app.spot_checks.forms_inspect import (
    AgreeForm,
    ConclusionForm,
    DecisionForm,
    LogForm,
    RectificationForm,
)
from app.spot_checks.models import Conclusion, Finding, SpotCheck
from app.spot_checks.words import (
    CONCLUSION_COLOURS,
    CONCLUSION_WORDS,
    FINDING_CHOICES,
    FINDING_COLOURS,
    FINDING_WORDS,
)
from app.timeutil import beijing_today
from app.web.headers import allow_features

# What the rectification form accepts (any evidence type, as the self-assessment).
EVIDENCE_ACCEPT = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx"


def page_url(check_id: int, fragment: str | None = None) -> str:
    url = url_for("spot_checks.check_page", check_id=check_id)
    return f"{url}#{fragment}" if fragment else url


def file_errors(exc: Invalid) -> list[str]:
    """An upload's refusal, to show next to that item's file input."""
    messages = [m for ms in exc.errors.values() for m in ms]
    return messages or [exc.message]


@dataclass
class Roles:
    """What the current user may do on this check now (computed once per request)."""

    assigned: bool
    keeps_log: bool  # an assigned inspector while the check is open
    answers: bool  # the union while the rectification is open
    decides: bool  # the inspectors or the district reviewer, while rectifying


def roles_of(user: User, check: SpotCheck, nomination: Nomination) -> Roles:
    return Roles(
        assigned=policy.is_assigned(user, check),
        keeps_log=policy.may_keep_log(user, check, nomination),
        answers=policy.may_answer_rectification(user, check, nomination),
        decides=policy.may_decide_rectification(user, check, nomination),
    )


# -- what each part of the form showed ----------------------------------------------------


def mark(*values: Any) -> str:
    """A short name of what a part of the form showed, sent back with it: an inspector's
    save changes only what they touched, never an item another inspector saved meanwhile."""
    text = json.dumps(
        [v if v is None or isinstance(v, str) else str(v) for v in values], ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def item_values(row: ItemFinding) -> tuple[str | None, str | None]:
    return (
        row.value.value if row.value else None,
        (row.finding.notes if row.finding else None) or None,
    )


def visit_values(form: LogForm) -> tuple[str | None, ...]:
    day = (
        form.visited_on.data.isoformat()
        if form.visited_on.data
        else (" ".join(form.visited_on.raw_data or []) or None)
    )
    return (
        day,
        (form.place.data or "").strip() or None,
        (form.interviewed.data or "").strip() or None,
        (form.interviewed_satisfied.data or "").strip() or None,
    )


# -- the page ----------------------------------------------------------------------------


def _default_log_form(check: SpotCheck) -> LogForm:
    return LogForm(
        formdata=None,
        data={
            "visited_on": check.visited_on or beijing_today(),
            "place": check.place or "",
            "interviewed": "" if check.interviewed is None else str(check.interviewed),
            "interviewed_satisfied": ""
            if check.interviewed_satisfied is None
            else str(check.interviewed_satisfied),
        },
    )


def _default_conclusion_form(check: SpotCheck) -> ConclusionForm:
    return ConclusionForm(
        formdata=None,
        data={
            "conclusion": check.conclusion.value if check.conclusion else None,
            "deadline": check.rectification_deadline,
            "notes": check.conclusion_notes or "",
        },
    )


def render(
    check: SpotCheck,
    nomination: Nomination,
    *,
    status: int = 200,
    log_form: LogForm | None = None,
    typed: dict[int, dict[str, str]] | None = None,
    was_items: dict[int, str] | None = None,
    was_visit: str | None = None,
    item_errors: dict[str, list[str]] | None = None,
    conclusion_form: ConclusionForm | None = None,
    typed_items: list[int] | None = None,
    conclusion_errors: dict[str, list[str]] | None = None,
    conclusion_problems: list[str] | None = None,
    statements: dict[int, str] | None = None,
    rect_errors: dict[str, list[str]] | None = None,
    rect_problems: list[str] | None = None,
    decision_form: DecisionForm | None = None,
) -> ResponseReturnValue:
    """The check page; a refused form shows again with what was typed and its errors."""
    queries.load_team(check)
    view = check_view(check, nomination)
    roles = roles_of(current_user, check, nomination)
    if roles.keeps_log:
        allow_features("camera")  # the log's photo fields open the phone's camera
    if typed_items is None:
        if check.rectification_items:
            typed_items = list(check.rectification_items)
        else:
            typed_items = [
                r.item.id for r in view.items if r.value in (Finding.PARTLY, Finding.FAILS)
            ]
    decided_by = (
        db.session.get(User, check.rectification_decided_by_id)
        if check.rectification_decided_by_id
        else None
    )
    mine = next((a for a in check.assignments if a.inspector_id == current_user.id), None)
    log_form = log_form or _default_log_form(check)
    marks = {row.item.id: mark(*item_values(row)) for row in view.items}
    marks.update(was_items or {})
    return render_template(
        "spot_checks/check.html",
        check=check,
        nomination=nomination,
        view=view,
        roles=roles,
        mine=mine,
        log_form=log_form,
        typed=typed or {},
        marks=marks,
        # What the visit fields show now (the default date included), unless an error page
        # shows what was typed over what the page first showed.
        was_visit=was_visit or mark(*visit_values(log_form)),
        item_errors=item_errors or {},
        conclusion_form=conclusion_form or _default_conclusion_form(check),
        typed_items=set(typed_items),
        conclusion_errors=conclusion_errors or {},
        conclusion_problems=conclusion_problems or [],
        agree_form=AgreeForm(formdata=None, data={"fingerprint": fingerprint(check)}),
        rect_form=RectificationForm(formdata=None),
        statements=statements,
        rect_errors=rect_errors or {},
        rect_problems=rect_problems or [],
        decision_form=decision_form or DecisionForm(formdata=None),
        decided_by=decided_by,
        finding_choices=FINDING_CHOICES,
        finding_labels={f.value: FINDING_WORDS[f] for f in Finding},
        finding_colours=FINDING_COLOURS,
        conclusion_labels={c.value: CONCLUSION_WORDS[c] for c in Conclusion},
        conclusion_colours=CONCLUSION_COLOURS,
        evidence_accept=EVIDENCE_ACCEPT,
        today=beijing_today(),
    ), status
