"""Evidence files (佐证材料): upload, storage, checks, download.

`bp` is resolved lazily: `app.assessment.models` imports `app.evidence.models`, and the
views import the assessment models, so importing this package must not load the views.
`create_app` asks for `bp`, by which time every model module is loaded.
"""

from typing import Any

from flask import Blueprint

blueprint = Blueprint("evidence", __name__)


def __getattr__(name: str) -> Any:
    if name == "bp":
        from app.evidence import routes  # noqa: F401  (attaches the views to `blueprint`)

        return blueprint
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
