"""The notification centre: a user's reminders, newest first; mark one or all as read."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from app.extensions import db
from app.notifications import bp
from app.notifications.models import Notification
from app.timeutil import utcnow

PAGE = 50


@bp.get("/notifications")
@login_required
def centre():  # type: ignore[no-untyped-def]
    unread_only = request.args.get("unread") == "1"
    stmt = select(Notification).where(Notification.user_id == current_user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    items = list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(PAGE)))
    # As many as listed under the same filter ("showing the newest 50" only when there are more).
    total = db.session.scalar(stmt.with_only_columns(func.count()))
    return render_template(
        "notifications/centre.html", items=items, total=total, unread_only=unread_only
    )


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id: int):  # type: ignore[no-untyped-def]
    """Mark one read and open what it is about; someone else's is "not found"."""
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    )
    if notification is None:
        abort(404)
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    if request.form.get("open") == "1":
        return redirect(
            url_for("nominations.detail", nomination_id=notification.nomination_id), code=303
        )
    return redirect(url_for("notifications.centre"), code=303)


@bp.post("/notifications/read-all")
@login_required
def read_all():  # type: ignore[no-untyped-def]
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
    return redirect(url_for("notifications.centre"), code=303)
