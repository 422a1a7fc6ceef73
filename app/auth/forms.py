from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Please enter your username.")), Length(max=64)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Please enter your password."))]
    )


class NewPasswordForm(FlaskForm):
    """A password of one's own, typed twice (the policy is checked by the service)."""

    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Please enter a password.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password, again"),
        validators=[DataRequired(_l("Please enter the password again.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
