"""Translation for the engine's own messages, without importing the app.

The engine's messages are English message ids, extracted into the app's catalogs like every
other (`babel.cfg` reads `workflows/`). The app installs its translators at start-up
(`install`): gettext for the messages, and the label lookup for the domain's Chinese labels
(an action's `label`). Until then — in a script that uses the definition alone — messages
come out in English and labels as written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Translator = Callable[[str], str]


def _same(text: str) -> str:
    return text


_gettext: Translator = _same
_label: Translator = _same


def install(gettext: Translator, label: Translator) -> None:
    """Use the app's translators from now on (called by the app factory)."""
    global _gettext, _label
    _gettext, _label = gettext, label


def _(msgid: str, **values: Any) -> str:
    """`msgid` in the reader's language, with `values` filled in (`%(name)s`)."""
    text = _gettext(msgid)
    return text % values if values else text


def label(text: str) -> str:
    """A domain label (state, action, role) in the reader's language."""
    return _label(text)
