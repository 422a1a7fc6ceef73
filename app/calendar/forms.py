"""Forms of the working-day calendar page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs: 3.2
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.calendar.services import MAX_NOTE
from app.web.forms import DateField

DATE_MESSAGE = _l("Please enter a date such as 2026-05-01.")
DAY_CHOICES = [
    SelectChoice("off", _l("Day off (休)")),
    SelectChoice("work", _l("Working day (班)")),
]


class CalendarDayForm(FlaskForm):
    """Mark one day as a day off or a make-up working day (or change its note)."""

    # SelectChoice and `invalid_value_message` are new in WTForms 3.3; its stubs are 3.2's.
    day = DateField(  # type: ignore[call-arg]
        _l("Date"), validators=[InputRequired(DATE_MESSAGE)], invalid_value_message=DATE_MESSAGE
    )
    kind = RadioField(
        _l("The day is"),
        choices=DAY_CHOICES,
        default="off",
        validators=[InputRequired(_l("Please choose a day off or a working day."))],
    )
    note = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=MAX_NOTE, message=_l("At most %(max)s characters."))],
        render_kw={"maxlength": MAX_NOTE},
    )


class CalendarImportForm(FlaskForm):
    """Many days at once, one per line: "2026-10-01 休 国庆节"."""

    text = TextAreaField(
        _l("Days, one per line"),
        render_kw={"rows": 8},
        validators=[DataRequired(_l("Please enter at least one line."))],
    )


class DeleteDayForm(FlaskForm):
    """The confirm button that deletes a day's exception (the CSRF token only)."""
