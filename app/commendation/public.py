"""The public side of 表彰 (no login): the published lists with the objection form, the
certificate check and the honour roll; and the certificate PDFs for those who may see them.

The services decide (the period, the rate limit, what an objection must say, what a code
means); these views read the forms, call them and show the result. An objector's contact
details and name are never shown on any of these pages; the address is handed to the
service only for its rate limit: `request.remote_addr`, which is the forwarded client address
only when the app is configured to sit behind proxies (`TRUSTED_PROXIES` → ProxyFix).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, make_response, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.campaigns.models import LEVEL_LABELS, Campaign, CampaignLevel
from app.commendation import bp, policy
from app.commendation.certificates import (
    CertificateCheck,
    certificates,
    check_certificate,
    count_certificate_check,
    get_certificate,
    normalise_code,
)
from app.commendation.forms_public import CertificateLookupForm, ObjectionForm, RollFilterForm
from app.commendation.models import Certificate, Commendation, Publicity, PublicityEntry
from app.commendation.objections import MIN_OBJECTION, lodge_objection
from app.commendation.publicity import ListedCandidate, listed_candidates
from app.commendation.queries import get_campaign
from app.commendation.roll import honour_roll
from app.commendation.words import long_date, period_text, publicity_state, status_text
from app.errors import Conflict, Invalid, NotFound, TooManyAttempts
from app.evaluation.links import public_base_url
from app.extensions import csrf, db
from app.nominations.models import Nomination
from app.orgs.models import DISTRICT_LEVELS, Organization
from app.timeutil import beijing_today
from app.web.downloads import content_disposition, xlsx_response
from app.web.forms import apply_errors, query_int
from app.web.templating import english, label

RECENT_DAYS = 180  # how long an ended list stays on the index
MAX_CODE = 64
LODGED = "objection_lodged"  # session key: (publicity id, objection id) for the thank-you


# -- the published lists ------------------------------------------------------------------


def _public_publicity(publicity_id: int) -> tuple[Publicity, Campaign]:
    """A list the public may see: it has gone up (the city sees its own list before)."""
    publicity = db.session.get(Publicity, publicity_id)
    if publicity is None or not policy.may_see_publicity(current_user, publicity):
        raise NotFound(_("This publicity list does not exist."))
    campaign = db.session.scalars(
        select(Campaign)
        .options(joinedload(Campaign.organizer))
        .where(Campaign.id == publicity.campaign_id)
    ).one()
    return publicity, campaign


def _candidate_choices(form: ObjectionForm, rows: list[ListedCandidate]) -> None:
    form.nomination_id.choices = [("", _("Choose a candidate"))] + [
        (r.entry.nomination_id, f"{r.entry.position}. {r.entry.unit}") for r in rows if r.can_object
    ]


def _render_publicity(
    publicity: Publicity,
    campaign: Campaign,
    *,
    form: ObjectionForm | None = None,
    rows: list[ListedCandidate] | None = None,
    alert: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    rows = rows if rows is not None else listed_candidates(publicity)
    state = publicity_state(publicity)
    if form is None:
        form = ObjectionForm(formdata=None)
        _candidate_choices(form, rows)
        wanted = query_int("candidate", 1)
        if wanted in {r.entry.nomination_id for r in rows if r.can_object}:
            form.nomination_id.data = wanted
    return render_template(
        "commendation/public_list.html",
        publicity=publicity,
        campaign=campaign,
        rows=rows,
        state=state,
        period=period_text(publicity),
        ends=long_date(publicity.ends_on),
        starts=long_date(publicity.starts_on),
        status_text=status_text,
        form=form,
        alert=alert,
        can_object=state == "open" and any(r.can_object for r in rows),
        min_objection=MIN_OBJECTION,
    ), status


@bp.get("/publicity")
def public_publicities() -> ResponseReturnValue:
    """The lists up now and those ended in the last months (two queries)."""
    today = beijing_today()
    found = db.session.execute(
        select(Publicity, Campaign.name)
        .join(Campaign, Campaign.id == Publicity.campaign_id)
        .where(
            Publicity.starts_on <= today, Publicity.ends_on >= today - timedelta(days=RECENT_DAYS)
        )
        .order_by(Publicity.ends_on.desc(), Publicity.id.desc())
        .limit(100)
    ).all()
    sizes: dict[int, int] = (
        dict(
            db.session.execute(
                select(PublicityEntry.publicity_id, func.count())
                .where(PublicityEntry.publicity_id.in_([p.id for p, _n in found]))
                .group_by(PublicityEntry.publicity_id)
            )
            .tuples()
            .all()
        )
        if found
        else {}
    )
    lists = [
        {
            "publicity": p,
            "campaign": name,
            "size": sizes.get(p.id, 0),
            "period": period_text(p),
            "open": policy.may_object(p),
        }
        for p, name in found
    ]
    return render_template(
        "commendation/public_index.html",
        current=[x for x in lists if x["open"]],
        recent=[x for x in lists if not x["open"]],
        recent_days=RECENT_DAYS,
    )


@bp.get("/publicity/<int:publicity_id>")
def public_publicity(publicity_id: int) -> ResponseReturnValue:
    publicity, campaign = _public_publicity(publicity_id)
    return _render_publicity(publicity, campaign)


# The form validates its CSRF token itself (FlaskForm): a token gone stale (a page left open
# over a browser restart) is then answered on this page with the text kept, rather than by
# the site-wide error page that would lose what the person wrote.
@csrf.exempt
@bp.post("/publicity/<int:publicity_id>/objections")
def public_object(publicity_id: int) -> ResponseReturnValue:
    publicity, campaign = _public_publicity(publicity_id)
    rows = listed_candidates(publicity)
    form = ObjectionForm()
    _candidate_choices(form, rows)
    if publicity_state(publicity) != "open":
        return _render_publicity(publicity, campaign, rows=rows, status=409)
    valid = form.validate()
    allowed = {r.entry.nomination_id for r in rows if r.can_object}
    if form.nomination_id.data not in allowed:
        form.nomination_id.errors = [_("Please choose the candidate you object to.")]
        valid = False
    if "csrf_token" in form.errors:
        return _render_publicity(
            publicity,
            campaign,
            form=form,
            rows=rows,
            status=400,
            alert=_(
                "This page had expired, so your objection was not sent yet. Please check it and "
                "send it again."
            ),
        )
    if not valid:
        return _render_publicity(
            publicity,
            campaign,
            form=form,
            rows=rows,
            status=422,
            alert=_("Your objection was not sent; please correct the fields marked below."),
        )
    try:
        objection = lodge_objection(
            publicity.id,
            form.nomination_id.data,
            body=form.body.data or "",
            name=form.name.data,
            contact=form.contact.data or "",
            address=request.remote_addr or "",
        )
    except Invalid as exc:
        db.session.rollback()
        rest = apply_errors(form, exc.errors)
        return _render_publicity(
            publicity,
            campaign,
            form=form,
            rows=rows,
            status=422,
            alert=" ".join([exc.message, *rest]),
        )
    except TooManyAttempts as exc:
        db.session.rollback()
        response = make_response(
            _render_publicity(
                publicity, campaign, form=form, rows=rows, status=429, alert=exc.message
            )
        )
        response.headers.update(exc.headers)  # Retry-After
        return response
    except NotFound as exc:
        db.session.rollback()
        form.nomination_id.errors = [exc.message]
        return _render_publicity(publicity, campaign, form=form, rows=rows, status=422)
    except Conflict as exc:  # the period ended while the page was open
        db.session.rollback()
        return _render_publicity(publicity, campaign, rows=rows, status=409, alert=exc.message)
    session[LODGED] = [publicity.id, objection.id, objection.nomination_id]
    # (an explicit fragment: the browser would otherwise keep the form's "#objection")
    return redirect(
        url_for(
            "commendation.public_objection_thanks", publicity_id=publicity.id, _anchor="thanks"
        ),
        code=303,
    )


@bp.get("/publicity/<int:publicity_id>/thanks")
def public_objection_thanks(publicity_id: int) -> ResponseReturnValue:
    """The confirmation with the objection's number, for the browser that lodged it."""
    lodged = session.get(LODGED)
    if not lodged or lodged[0] != publicity_id:
        return redirect(url_for("commendation.public_publicity", publicity_id=publicity_id))
    publicity, campaign = _public_publicity(publicity_id)
    nominee, unit = db.session.execute(
        select(Nomination.nominee_name, Organization.name)
        .join(Organization, Organization.id == Nomination.org_id)
        .where(Nomination.id == lodged[2])
    ).one()
    return render_template(
        "commendation/public_thanks.html",
        publicity=publicity,
        campaign=campaign,
        number=lodged[1],
        unit=nominee or unit,
        ends=long_date(publicity.ends_on),
    )


# -- certificates -------------------------------------------------------------------------


def _pdf_response(body: bytes, name: str, fallback: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(name, fallback)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/nominations/<int:nomination_id>/certificate.pdf")
@login_required
def certificate_pdf(nomination_id: int) -> Response:
    """The home's certificate, for anyone who may see the nomination."""
    from app.commendation.pdf import certificates_pdf, holder

    found = get_certificate(current_user, nomination_id)
    certificate = certificates(Certificate.id == found.id)[0]
    body = certificates_pdf([certificate], public_base_url())
    return _pdf_response(
        body,
        f"荣誉证书-{holder(certificate)}-{certificate.serial}.pdf",
        f"certificate-{certificate.serial}",
    )


@bp.get("/commendations/<int:commendation_id>/certificates.pdf")
@login_required
def commendation_certificates_pdf(commendation_id: int) -> Response:
    """Every certificate of a decision, to print at once: the organising city only."""
    from app.commendation.pdf import certificates_pdf

    commendation = db.session.get(Commendation, commendation_id)
    if commendation is None or not policy.may_manage(
        current_user, get_campaign(commendation.campaign_id)
    ):
        raise NotFound(_("Not found, or you are not allowed to see it."))
    body = certificates_pdf(
        certificates(Certificate.commendation_id == commendation.id), public_base_url()
    )
    return _pdf_response(
        body, f"荣誉证书-{commendation.document_number}.pdf", f"certificates-{commendation.id}"
    )


@bp.get("/certificates")
def public_certificate_lookup() -> ResponseReturnValue:
    """The lookup form; a code typed in goes to its check page, in the canonical spelling."""
    form = CertificateLookupForm(request.args)
    status = 200
    if "code" in request.args:
        code = normalise_code(request.args.get("code", ""))
        if code and len(code) <= MAX_CODE:
            return redirect(url_for("commendation.public_certificate", code=code), code=303)
        form.code.errors = [_("Please enter the verification code printed on the certificate.")]
        status = 422
    return render_template("commendation/certificate_lookup.html", form=form), status


@bp.get("/certificates/<code>")
def public_certificate(code: str) -> ResponseReturnValue:
    """有效 / 已撤销 / 查无此证书, in plain words (404 for a code never issued); a few
    dozen look-ups a minute per client (then 429, with Retry-After)."""
    count_certificate_check(request.remote_addr or "")
    check = (
        check_certificate(code)
        if len(code) <= MAX_CODE
        else CertificateCheck(code[:MAX_CODE], None)
    )
    campaign_title = organizer = None
    if check.certificate is not None:
        from app.commendation.pdf import campaign_title as title_of

        campaign_title = title_of(check.certificate)
        organizer = check.certificate.nomination.campaign.organizer.name
    form = CertificateLookupForm(formdata=None, data={"code": check.code or code[:MAX_CODE]})
    response = Response(
        render_template(
            "commendation/certificate_check.html",
            check=check,
            form=form,
            campaign_title=campaign_title,
            organizer=organizer,
            long_date=long_date,
        ),
        status=404 if check.status == "unknown" else 200,
    )
    response.headers["Cache-Control"] = "no-cache"  # a revocation shows at once
    return response


# -- the honour roll ----------------------------------------------------------------------

LEVELS = [level.value for level in CampaignLevel]
ROLL_HEADER = [
    "序号",
    "年度",
    "级别",
    "区（县）",
    "单位名称",
    "称号",
    "表彰文号",
    "证书编号",
    "状态",
]
ROLL_WIDTHS = [6, 8, 8, 16, 36, 18, 24, 12, 22]


def _roll_form() -> tuple[RollFilterForm, dict[str, Any]]:
    """The filter form with its choices, and the filters it names (unknown values ignored)."""
    form = RollFilterForm(request.args)
    years = list(
        db.session.scalars(
            select(Campaign.year)
            .join(Commendation, Commendation.campaign_id == Campaign.id)
            .distinct()
            .order_by(Campaign.year.desc())
        )
    )
    districts = (
        db.session.execute(
            select(Organization.id, Organization.name)
            .where(Organization.level.in_(DISTRICT_LEVELS))
            .order_by(Organization.code)
        )
        .tuples()
        .all()
    )
    wanted = form.year.data
    if isinstance(wanted, int) and wanted not in years and 1949 <= wanted <= 2999:
        years = sorted([*years, wanted], reverse=True)  # asked for: shown, if empty
    form.year.choices = [("", _("All years"))] + [
        (y, str(y) if english() else f"{y}年") for y in years
    ]
    form.level.choices = [("", _("All levels"))] + [
        (value, label(LEVEL_LABELS[CampaignLevel(value)])) for value in LEVELS
    ]
    form.district.choices = [("", _("All districts"))] + [(i, n) for i, n in districts]
    form.validate()
    filters = {
        "year": form.year.data if form.year.data and 1949 <= form.year.data <= 2999 else None,
        "level": form.level.data if form.level.data in LEVELS else None,
        "district_id": form.district.data if form.district.data in dict(districts) else None,
    }
    return form, filters


def roll_status(certificate: Certificate) -> str:
    if certificate.revoked_on is None:
        return "有效"
    return f"已撤销（{certificate.revoked_on.isoformat()}）"


@bp.get("/honours")
def public_honour_roll() -> ResponseReturnValue:
    form, filters = _roll_form()
    entries = honour_roll(**filters)
    args = {k: v for k, v in request.args.items() if k in ("year", "level", "district") and v}
    return render_template(
        "commendation/roll.html",
        form=form,
        entries=entries,
        revoked=sum(1 for e in entries if e.revoked),
        level_labels={k.value: v for k, v in LEVEL_LABELS.items()},
        args=args,
    )


@bp.get("/honours.xlsx")
def public_honour_roll_xlsx() -> Response:
    """The roll as a union office files it (the same filters as the page)."""
    _form, filters = _roll_form()
    entries = honour_roll(**filters)
    levels = {k.value: v for k, v in LEVEL_LABELS.items()}
    rows = [
        [
            i,
            e.year,
            levels.get(str(e.level), str(e.level)),
            e.district or "",
            e.unit,
            e.nomination.award_label,
            e.document_number,
            e.certificate.serial,
            roll_status(e.certificate),
        ]
        for i, e in enumerate(entries, start=1)
    ]
    name = "模范职工之家荣誉榜" + (f"-{filters['year']}" if filters["year"] else "")
    return xlsx_response(
        name, "荣誉榜", ROLL_HEADER, rows, heading="模范职工之家荣誉榜", widths=ROLL_WIDTHS
    )
