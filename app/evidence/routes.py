"""Evidence pages: a file's download and its thumbnail, for whoever may see its nomination."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from app.evidence import bp
from app.evidence.download import evidence_response, thumbnail_response
from app.evidence.services import get_evidence_for_download


@bp.get("/evidence/<int:evidence_id>/download")
@login_required
def download(evidence_id: int) -> ResponseReturnValue:
    return evidence_response(get_evidence_for_download(current_user, evidence_id))


@bp.get("/evidence/<int:evidence_id>/thumbnail")
@login_required
def thumbnail_image(evidence_id: int) -> ResponseReturnValue:
    return thumbnail_response(get_evidence_for_download(current_user, evidence_id))
