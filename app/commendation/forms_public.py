"""Forms of the public side of 表彰: an objection to a listed candidate, the certificate
lookup and the honour roll's filters.

The service (`lodge_objection`) decides what an objection must contain; the form carries
the CSRF token, the same limits for an early answer, and the errors shown next to each field.
The two GET forms change nothing and carry no token.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.commendation.models import MAX_TEXT
from app.commendation.objections import MIN_OBJECTION


def _int_or_none(value: Any) -> int | None:
    """The choice as a number, or None for no choice or anything but a number."""
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class ObjectionForm(FlaskForm):
    nomination_id = SelectField(
        _l("Candidate objected to"),
        coerce=_int_or_none,
        validate_choice=False,
        validators=[InputRequired(_l("Please choose the candidate you object to."))],
    )
    body = TextAreaField(
        _l("Objection (facts and reasons)"),
        validators=[
            InputRequired(_l("Please state the facts and reasons of your objection.")),
            Length(
                min=MIN_OBJECTION,
                max=MAX_TEXT,
                message=_l("Please write between %(min)d and %(max)d characters."),
            ),
        ],
        render_kw={"rows": 6, "maxlength": MAX_TEXT},
    )
    name = StringField(
        _l("Your name (optional)"),
        validators=[Optional(), Length(max=50)],
        render_kw={"maxlength": 50, "autocomplete": "name"},
    )
    contact = StringField(
        _l("Contact (phone or e-mail)"),
        validators=[
            InputRequired(
                _l(
                    "Please leave a phone number or e-mail address for our "
                    "reply (it is not published)."
                )
            ),
            Length(max=100),
        ],
        render_kw={"maxlength": 100, "autocomplete": "tel"},
    )


class CertificateLookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET lookup changes nothing

    code = StringField(
        _l("Verification code"),
        validators=[Optional(), Length(max=64)],
        render_kw={
            "placeholder": "ABCD-EFGH-JKLM",
            "autocapitalize": "characters",
            "autocomplete": "off",
            "spellcheck": "false",
        },
    )


class RollFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    year = SelectField(_l("Year"), coerce=_int_or_none, validators=[Optional()])
    level = SelectField(_l("Level"), validators=[Optional()])
    district = SelectField(_l("District"), coerce=_int_or_none, validators=[Optional()])
