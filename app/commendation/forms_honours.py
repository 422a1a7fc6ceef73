"""Forms of the dynamic management of honours: the city's orders on the nomination page's
card and the union's rectification statement."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length, Optional

from app.commendation.forms_decide import date_field
from app.commendation.models import MAX_TEXT
from app.timeutil import beijing_today


class OrderRectificationForm(FlaskForm):
    """责令整改: the city's reason and the deadline (checked by the service)."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 3, "maxlength": MAX_TEXT},
    )
    deadline = date_field(_l("Rectify by"), Optional())


class RevokeForm(FlaskForm):
    """撤销称号: reason and date; sent once to be confirmed, then again with `confirmed`."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 3, "maxlength": MAX_TEXT},
    )
    revoked_on = date_field(_l("Date of revocation"), Optional())
    confirmed = HiddenField()


class HonourDecisionForm(FlaskForm):
    """整改合格 / 整改不合格 (the buttons); a comment is required for the latter."""

    comment = TextAreaField(
        _l("Opinion"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 3, "maxlength": MAX_TEXT},
    )


class UnionRectificationForm(FlaskForm):
    """The union's statement; the file is read by the view."""

    statement = TextAreaField(
        _l("What was done"),
        validators=[Optional(), Length(max=MAX_TEXT)],
        render_kw={"rows": 6, "maxlength": MAX_TEXT},
    )


def order_form(formdata: Any = None) -> OrderRectificationForm:
    return OrderRectificationForm(formdata=formdata, prefix="order")


def revoke_form(formdata: Any = None) -> RevokeForm:
    form = RevokeForm(formdata=formdata, prefix="revoke")
    if formdata is None:
        form.revoked_on.data = beijing_today()
    return form


def decision_form(formdata: Any = None) -> HonourDecisionForm:
    return HonourDecisionForm(formdata=formdata, prefix="decision")
