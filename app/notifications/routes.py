"""The notification centre: a user's reminders, newest first; mark one or all as read."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.mobile import mask_mobile
from app.notifications import bp
from app.notifications.centre import mark_all_read, mark_read, notifications_of
from app.notifications.delivery import (
    preferences_of,
    quiet_hours,
    set_preferences,
    sms_configured,
)
from app.notifications.forms import PreferencesForm


@bp.get("/notifications")
@login_required
def centre() -> ResponseReturnValue:
    unread_only = request.args.get("unread") == "1"
    items, total = notifications_of(current_user, unread_only=unread_only)
    return render_template(
        "notifications/centre.html", items=items, total=total, unread_only=unread_only
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int) -> ResponseReturnValue:
    """Mark one read and open what it is about; someone else's is "not found"."""
    notification = mark_read(current_user, notification_id)
    if request.form.get("open") == "1":
        return redirect(
            url_for("nominations.detail", nomination_id=notification.nomination_id), code=303
        )
    return redirect(url_for("notifications.centre"), code=303)


@bp.post("/notifications/read-all")
@login_required
def read_all() -> ResponseReturnValue:
    mark_all_read(current_user)
    return redirect(url_for("notifications.centre"), code=303)


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    """How the user wants to be told: e-mail and SMS per kind, or a daily digest."""
    form = PreferencesForm(data=preferences_of(current_user) if request.method == "GET" else None)
    if form.validate_on_submit():
        set_preferences(current_user, {name: field.data for name, field in form._fields.items()})
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"), code=303)
    return render_template(
        "notifications/settings.html",
        form=form,
        email=current_user.email,
        mobile=mask_mobile(current_user.mobile) if current_user.mobile else None,
        sms=sms_configured(),
        quiet=quiet_hours(),
    )
