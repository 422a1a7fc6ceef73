"""Forms of the spot-check management page (the drawing organisation's page per campaign).

The services validate the rule, the seed and the reason; these forms carry the CSRF token,
keep what was typed and hold the errors shown next to each field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag (3.2)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

MAX_SEED = 128
MAX_REASON = 2000

METHOD_CHOICES = [
    SelectChoice("ratio", _l("By ratio")),
    SelectChoice("count", _l("By count per district")),
]


class AnnounceForm(FlaskForm):
    """Announce a draw: the rule, and a seed whose SHA-256 is published now."""

    method = RadioField(
        _l("Rule"),
        choices=METHOD_CHOICES,
        default="ratio",
        validators=[InputRequired(_l("Please choose by ratio or by count."))],
    )
    value = StringField(
        _l("Ratio, or number per district"),
        default="0.2",
        validators=[
            DataRequired(_l("Please enter a ratio such as 0.2, or a whole number.")),
            Length(max=16, message=_l("At most %(max)s characters.")),
        ],
    )
    seed = StringField(
        _l("Seed (optional)"),
        validators=[Optional(), Length(max=MAX_SEED, message=_l("At most %(max)s characters."))],
    )


class RedrawForm(AnnounceForm):
    """Supersede the open draw: the reason is required and published with the new draw."""

    reason = TextAreaField(
        _l("Reason for the redraw"),
        render_kw={"rows": 2},
        validators=[
            DataRequired(_l("Please give the reason for the redraw.")),
            Length(max=MAX_REASON, message=_l("At most %(max)s characters.")),
        ],
    )


class AssignForm(FlaskForm):
    """Add one inspector to a check by hand (the services apply the conflict rule)."""

    inspector_id = StringField(
        _l("Inspector"), validators=[DataRequired(_l("Please choose an inspector."))]
    )
