"""The notification settings form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class PreferencesForm(FlaskForm):
    events_email = BooleanField(_l("Steps taken: by e-mail"))
    events_sms = BooleanField(_l("Steps taken: by SMS"))
    reminders_email = BooleanField(_l("Deadline reminders: by e-mail"))
    reminders_sms = BooleanField(_l("Deadline reminders: by SMS"))
    digest = BooleanField(_l("One daily digest instead of each message by e-mail or SMS"))
