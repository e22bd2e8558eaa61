"""Languages of the resident UI: the gateway's Babel catalogues and gettext for Python code."""

from __future__ import annotations

from pathlib import Path

from portal_platform.i18n import Catalogues, current_language

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
catalogues = Catalogues(LOCALE_DIR)


def _(message: str, **values: object) -> str:
    """The message in the request's language (Polish source text is the message id)."""
    text = catalogues.gettext(message)
    return text % values if values else text


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where it is shown."""
    return message


def language() -> str:
    return current_language.get()
