"""The working-day calendar page (工作日历, `/calendar`): the city marks holidays and make-up
working days one by one or pastes a year's list; a campaign's commendation board links here
and back (`?campaign=`)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.calendar import bp
from app.calendar.forms import CalendarDayForm, CalendarImportForm, DeleteDayForm
from app.calendar.models import WorkCalendarDay
from app.calendar.policy import require_calendar_keeper
from app.calendar.services import (
    calendar_year,
    delete_calendar_day,
    import_calendar,
    set_calendar_day,
)
from app.errors import Invalid, NotFound
from app.extensions import db
from app.timeutil import beijing_today
from app.web.errors import flash_refusal
from app.web.forms import apply_errors, query_int

WEEKDAYS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]


def _year() -> int:
    year = query_int("year")
    return year if year and 2000 <= year <= 2100 else beijing_today().year


def _calendar_url(year: int) -> str:
    """The calendar's year, keeping the campaign the user came from (for the way back)."""
    return url_for("calendar.page", year=year, campaign=query_int("campaign", 1))


def _render_calendar(
    year: int,
    *,
    day_form: CalendarDayForm | None = None,
    import_form: CalendarImportForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    days = calendar_year(year)
    return render_template(
        "calendar/page.html",
        year=year,
        days=days,
        weekdays=WEEKDAYS,
        day_form=day_form or CalendarDayForm(formdata=None),
        import_form=import_form or CalendarImportForm(formdata=None),
        button=DeleteDayForm(formdata=None),
        campaign_id=query_int("campaign", 1),
    ), status


@bp.get("/calendar")
@login_required
def page() -> ResponseReturnValue:
    require_calendar_keeper(current_user)
    return _render_calendar(_year())


@bp.post("/calendar/day")
@login_required
def save_day() -> ResponseReturnValue:
    require_calendar_keeper(current_user)  # an invalid form shows the calendar again
    form = CalendarDayForm()
    if form.validate_on_submit():
        day = form.day.data
        assert day is not None  # InputRequired
        try:
            set_calendar_day(current_user, day, form.kind.data == "work", form.note.data)
        except Invalid as exc:
            db.session.rollback()
            flash_refusal(exc, *apply_errors(form, exc.errors), category="danger")
        else:
            if db.session.get(WorkCalendarDay, day) is None:
                flash(
                    _("%(day)s follows the Monday-to-Friday rule again.", day=day.isoformat()),
                    "success",
                )
            else:
                kind = _("day off") if form.kind.data == "off" else _("working day")
                flash(
                    _("%(day)s is saved as a %(kind)s.", day=day.isoformat(), kind=kind), "success"
                )
            return redirect(_calendar_url(day.year), code=303)
    return _render_calendar(_year(), day_form=form, status=422)


@bp.post("/calendar/import")
@login_required
def import_days() -> ResponseReturnValue:
    require_calendar_keeper(current_user)  # an invalid form shows the calendar again
    form = CalendarImportForm()
    if form.validate_on_submit():
        try:
            count = import_calendar(current_user, form.text.data or "")
        except Invalid as exc:
            db.session.rollback()
            flash_refusal(exc, *apply_errors(form, exc.errors), category="danger")
        else:
            flash(_("%(n)s days imported.", n=count), "success")
            return redirect(_calendar_url(_year()), code=303)
    return _render_calendar(_year(), import_form=form, status=422)


@bp.post("/calendar/<day>/delete")
@login_required
def delete_day(day: str) -> ResponseReturnValue:
    DeleteDayForm().validate_on_submit()
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise NotFound(_("Not found, or you are not allowed to see it.")) from None
    try:
        delete_calendar_day(current_user, when)  # the city's only (403 otherwise)
    except NotFound as exc:  # a day with nothing to delete: said on the calendar
        db.session.rollback()
        flash_refusal(exc, category="warning")
    else:
        flash(
            _("%(day)s follows the Monday-to-Friday rule again.", day=when.isoformat()), "success"
        )
    return redirect(_calendar_url(when.year), code=303)
