"""Every text a student reads, in their language: gettext catalogues, and numbers written per language.

How a text is translated:
- In code, wrap it: ``tr("Train")``. With values, use named placeholders and format after
  translating, numbers through ``number``: ``tr("Test accuracy {accuracy}").format(accuracy=number(acc, 4))``.
  (An f-string cannot be translated: the catalogue holds the text before the values go in.)
- A text defined at import time (a module constant, a dict of labels) is marked with ``N_("...")``,
  which only marks it for extraction, and translated where it is shown: ``tr(LABELS[state])``.
- Plurals: ``ntr("{n} image", "{n} images", n).format(n=integer(n))``.
- One English word, two meanings ("Train" the button, "Train" the data split): give the second a
  context, ``NP_("data split", "Train")``. It is still the string "Train" (links and comparisons
  see the English), and ``tr`` translates it within its context.

The catalogues are Python's gettext catalogues, kept as ``.po`` files (the source of truth, edited
by translators and reviewed in diffs) in ``mnist_core/locales/<language>/LC_MESSAGES/``; Babel
compiles them in memory when first used, so no compiled ``.mo`` file is committed or can go stale.
``scripts/update_translations.py`` extracts every marked text (and the shipped lessons' texts) into
``messages.pot`` and updates each language's ``.po`` from it.

Which language: the page sets a *language source* (``set_language_source``), a function that
returns the current viewer's language; the app's source reads the viewer's session. Code that runs
outside a page (a background task, the command line) runs in ``in_language(code)`` or in English.
This module never imports streamlit.
"""

from __future__ import annotations

import contextvars
import functools
import gettext as gettext_module
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent, get_decimal_symbol, get_group_symbol

LOCALE_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the language the code is written in
LANGUAGES = {"en": "English", "es": "Español"}  # code -> the language's name in itself

_thread_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("mnist_language", default=None)
_language_source: Callable[[], str | None] | None = None


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (translate it where it is shown)."""
    return message


class ContextualText(str):
    """An English text with a gettext context: equal to the plain text, translated within its context."""

    context: str

    def __new__(cls, context: str, message: str):
        text = super().__new__(cls, message)
        text.context = context
        return text

    def __reduce__(self):
        return ContextualText, (self.context, str(self))


def NP_(context: str, message: str) -> ContextualText:  # noqa: N802 - gettext's own name for it
    """Mark ``message`` with a ``context`` that tells it apart from the same English text elsewhere."""
    return ContextualText(context, message)


def set_language_source(source: Callable[[], str | None] | None) -> None:
    """Use ``source()`` for the current language where ``in_language`` has not set one (None: English)."""
    global _language_source
    _language_source = source


def current_language() -> str:
    """The language texts are translated into right now: a code of ``LANGUAGES``."""
    language = _thread_language.get()
    if language is None and _language_source is not None:
        language = _language_source()
    return language if language in LANGUAGES else SOURCE_LANGUAGE


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Translate into ``language`` inside the block, on this thread (for work that runs off a page)."""
    token = _thread_language.set(language)
    try:
        yield
    finally:
        _thread_language.reset(token)


def run_in_language(language: str, function: Callable, *args, **kwargs):
    """``function(*args, **kwargs)`` with its texts in ``language``: give it to a thread or a job."""
    with in_language(language):
        return function(*args, **kwargs)


def negotiate_language(locale: str | None) -> str:
    """The supported language closest to a browser locale such as ``es-AR`` or ``en_GB``; else English."""
    if not locale:
        return SOURCE_LANGUAGE
    code = locale.replace("_", "-").split("-")[0].strip().lower()
    return code if code in LANGUAGES else SOURCE_LANGUAGE


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The compiled catalogue of ``language`` (English, the source language, translates to itself)."""
    path = catalogue_path(language)
    if language == SOURCE_LANGUAGE or not path.exists():
        return gettext_module.NullTranslations()
    with path.open("rb") as file:
        catalogue = read_po(file, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


def tr(message: str) -> str:
    """``message`` in the current language (itself when the catalogue has no translation)."""
    if isinstance(message, ContextualText):
        return translations(current_language()).pgettext(message.context, str(message))
    return translations(current_language()).gettext(message)


def ntr(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for ``count`` in the current language."""
    return translations(current_language()).ngettext(singular, plural, count)


@functools.cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def number(value: float, decimals: int | None = None, grouping: bool = True) -> str:
    """``value`` written for the current language: 0.9512 -> "0.9512" in English, "0,9512" in Spanish.

    ``decimals``: exactly that many digits after the point; None: as many as needed, up to 3.
    ``grouping``: thousands separated ("60,000" / "60.000").
    """
    language = current_language()
    if decimals is None:
        pattern = "#,##0.###" if grouping else "0.###"
    else:
        fraction = "." + "0" * decimals if decimals > 0 else ""
        pattern = ("#,##0" if grouping else "0") + fraction
    return format_decimal(value, format=pattern, locale=_locale(language))


def integer(value: int) -> str:
    """A whole number with the language's thousands separator: 60,000 / 60.000."""
    return number(int(value), 0)


def percent(fraction: float, decimals: int = 0) -> str:
    """A fraction as a percentage in the current language: 0.953 -> "95%" / "95 %"."""
    locale = _locale(current_language())
    pattern = locale.percent_formats[None].pattern  # "#,##0%" in English, "#,##0 %" in Spanish
    if decimals > 0:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
    return format_percent(fraction, format=pattern, locale=locale)


def decimal_separators() -> str:
    """Plotly's ``layout.separators`` for the current language: the decimal mark, then the thousands mark."""
    language = current_language()
    return get_decimal_symbol(language) + get_group_symbol(language)
