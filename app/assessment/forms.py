"""Forms of the self-assessment pages.

The self-assessment form's fields come from the pinned standard (items) and the category
(figures), so they are read from `request.form` by the route; the FlaskForm here carries
the CSRF token and the fixed fields.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.assessment.review import MAX_COMMENT
from app.web.forms import IntegerField


class SelfAssessmentForm(FlaskForm):
    """The whole self-assessment (figures and every item), saved as a draft."""


class ReviewCommentForm(FlaskForm):
    item_id = IntegerField(validators=[Optional()])
    body = TextAreaField(
        _l("Review comment"),
        validators=[DataRequired(_l("Please write the comment.")), Length(max=MAX_COMMENT)],
    )
    next = HiddenField()


class DeleteCommentForm(FlaskForm):
    next = HiddenField()
