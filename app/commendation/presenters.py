"""What the commendation's API answers: its objects as the schemas of
`app.commendation.schemas` describe them (plain dicts, dumped by the views)."""

from __future__ import annotations

from typing import Any

from app.commendation.certificates import CertificateCheck, certificate_url, certificates
from app.commendation.honours import rectification_files
from app.commendation.models import (
    Certificate,
    Commendation,
    HonourRectification,
    Objection,
    Publicity,
)
from app.commendation.policy import may_object
from app.commendation.publicity import public_entries
from app.commendation.roll import RollEntry
from app.commendation.selection import Board
from app.evaluation.links import public_base_url
from app.evidence.files import present_file
from app.nominations.models import Nomination
from workflows.nomination import STATE_LABELS


def pdf_path(nomination_id: int) -> str:
    """The certificate PDF, served by the commendation pages (a plain path: that route is
    another module's)."""
    return f"/nominations/{nomination_id}/certificate.pdf"


def _unit(nomination: Nomination) -> str:
    return nomination.nominee_name or nomination.org.name


def present_board(board: Board) -> dict[str, Any]:
    return {
        "campaign_id": board.campaign.id,
        "campaign_name": board.campaign.name,
        "districts": [
            {
                "district_id": d.district_id,
                "name": d.name,
                "quota": d.quota,
                "selected": d.selected,
                "candidates": d.candidates,
                "over": d.over,
            }
            for d in board.districts
        ],
        "rows": [
            {
                "nomination_id": r.nomination.id,
                "unit": _unit(r.nomination),
                "award": r.nomination.award_label,
                "district_id": r.district_id,
                "district_name": r.district_name,
                "rank": r.rank,
                "selected": r.selected,
                "items_met": r.items_met,
                "items_total": r.items_total,
                "membership_percent": r.membership_percent,
                "satisfaction_percent": r.satisfaction_percent,
                "spot_check": r.check,
            }
            for r in board.rows
        ],
    }


def present_publicity(publicity: Publicity, *, entries: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": publicity.id,
        "campaign_id": publicity.campaign_id,
        "title": publicity.title,
        "working_days": publicity.working_days,
        "starts_on": publicity.starts_on,
        "ends_on": publicity.ends_on,
        "open": may_object(publicity),
        "published_at": publicity.published_at,
        "commendation_id": publicity.commendation_id,
    }
    if entries:
        body["entries"] = [
            {**vars(e), "status_label": STATE_LABELS[e.status]} for e in public_entries(publicity)
        ]
    return body


def present_lodged(objection: Objection) -> dict[str, Any]:
    """What whoever lodged an objection gets back: never the contact details."""
    return {
        "id": objection.id,
        "publicity_id": objection.publicity_id,
        "nomination_id": objection.nomination_id,
        "unit": _unit(objection.nomination),
        "status": objection.status.value,
        "created_at": objection.created_at,
    }


def present_objection(objection: Objection) -> dict[str, Any]:
    """The city's view (with the contact details)."""
    return present_lodged(objection) | {
        "body": objection.body,
        "name": objection.name,
        "contact": objection.contact,
        "outcome": objection.outcome,
        "answer": objection.answer,
        "answered_by": objection.answered_by.display_name if objection.answered_by else None,
        "answered_at": objection.answered_at,
    }


def present_certificate(certificate: Certificate) -> dict[str, Any]:
    nomination = certificate.nomination
    return {
        "nomination_id": nomination.id,
        "unit": _unit(nomination),
        "award": nomination.award_label,
        "campaign": nomination.campaign.name,
        "serial": certificate.serial,
        "code": certificate.code,
        "status": "revoked" if certificate.revoked_on else "valid",
        "document_number": certificate.commendation.document_number,
        "decided_on": certificate.commendation.decided_on,
        "issued_at": certificate.issued_at,
        "revoked_on": certificate.revoked_on,
        "revoked_reason": certificate.revoked_reason,
        "check_url": certificate_url(public_base_url(), certificate.code),
        "pdf_url": pdf_path(nomination.id),
    }


def present_commendation(commendation: Commendation, publicity_id: int) -> dict[str, Any]:
    return {
        "id": commendation.id,
        "campaign_id": commendation.campaign_id,
        "publicity_id": publicity_id,
        "document_number": commendation.document_number,
        "decided_on": commendation.decided_on,
        "issued_at": commendation.issued_at,
        "certificates": [
            present_certificate(c)
            for c in certificates(Certificate.commendation_id == commendation.id)
        ],
    }


def present_check(result: CertificateCheck) -> dict[str, Any]:
    certificate = result.certificate
    body: dict[str, Any] = {"status": result.status, "code": result.code}
    if certificate is None:
        return body | dict.fromkeys(
            (
                "serial",
                "unit",
                "award",
                "campaign",
                "year",
                "document_number",
                "decided_on",
                "revoked_on",
                "revoked_reason",
            )
        )
    nomination = certificate.nomination
    return body | {
        "serial": certificate.serial,
        "unit": _unit(nomination),
        "award": nomination.award_label,
        "campaign": nomination.campaign.name,
        "year": nomination.campaign.year,
        "document_number": certificate.commendation.document_number,
        "decided_on": certificate.commendation.decided_on,
        "revoked_on": certificate.revoked_on,
        "revoked_reason": certificate.revoked_reason,
    }


def present_roll_entry(entry: RollEntry) -> dict[str, Any]:
    return {
        "serial": entry.certificate.serial,
        "unit": entry.unit,
        "district": entry.district,
        "award": entry.nomination.award_label,
        "year": entry.year,
        "level": str(entry.level),
        "campaign": entry.nomination.campaign.name,
        "document_number": entry.document_number,
        "decided_on": entry.decided_on,
        "revoked": entry.revoked,
        "revoked_on": entry.certificate.revoked_on,
    }


def present_rectification(order: HonourRectification, nomination: Nomination) -> dict[str, Any]:
    """An order, open or decided, with the union's files (one query for them)."""
    files = rectification_files(order, nomination.id)
    return {
        "id": order.id,
        "nomination_id": nomination.id,
        "state": nomination.status,
        "origin": order.origin,
        "reason": order.reason,
        "deadline": order.deadline,
        "overdue": order.overdue,
        "ordered_at": order.ordered_at,
        "statement": order.statement,
        "files": [present_file(e) for e in files],
        "submitted_at": order.submitted_at,
        "decision": order.decision,
        "decision_comment": order.decision_comment,
        "decided_at": order.decided_at,
    }
