"""Build the translation catalogues: extract every marked text, update each language's ``.po``.

Run ``python scripts/update_translations.py`` after changing texts. Extraction reads:
- the Python code of the app (``app.py``, ``app_pages/``, ``ui/``, ``mnist_core/``), for the
  keywords ``tr``, ``ntr`` (singular, plural) and ``N_``;
- the shipped lessons (``lessons/*.toml``): the texts of each path and step (``extract_lessons``).

Lessons a teacher adds from their own folder are shown as written.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from mnist_core.i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE, catalogue_path

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"tr": None, "ntr": (1, 2), "N_": None, "NP_": ((1, "c"), 2)}
CONTEXT_SEPARATOR = "\x04"  # gettext's own: a JSON key "data split\x04Train" is "Train" in that context
PYTHON_SOURCES = ("app.py", "app_pages", "ui", "mnist_core")
LESSON_PATH_TEXTS = ("title", "lesson", "summary")
LESSON_STEP_TEXTS = ("title", "prompt", "explanation")
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def lesson_texts(text: str) -> Iterator[str]:
    """The translatable texts of one lesson file, in file order, stripped as the app shows them."""
    raw = tomllib.loads(text)
    for name in LESSON_PATH_TEXTS:
        if isinstance(raw.get(name), str) and raw[name].strip():
            yield raw[name].strip()
    for step in raw.get("steps", []):
        for name in LESSON_STEP_TEXTS:
            if isinstance(step.get(name), str) and step[name].strip():
                yield step[name].strip()


def extract_lessons(fileobj, keywords, comment_tags, options):
    """A Babel extraction method for lesson TOML files: (line, funcname, message, comments)."""
    for message in lesson_texts(fileobj.read().decode("utf-8")):
        yield 1, None, message, []


def extract_template() -> Catalog:
    """Every text to translate, with where it comes from."""
    template = Catalog(
        project="MNIST Demystified",
        domain=DOMAIN,
        fuzzy=False,
        header_comment="# The texts of MNIST Demystified, from its code and its shipped lessons.",
    )
    method_map = [("**.py", "python")]
    for source in PYTHON_SOURCES:
        path = ROOT / source
        if path.is_file():
            found = extract_from_dir(ROOT, [(source, "python")], keywords=KEYWORDS, strip_comment_tags=True)
        else:
            found = extract_from_dir(path, method_map, keywords=KEYWORDS, strip_comment_tags=True)
        for filename, lineno, message, comments, context in found:
            location = filename if path.is_file() else f"{source}/{filename}"
            template.add(message, None, [(location, lineno)], auto_comments=comments, context=context)
    for file in sorted((ROOT / "lessons").glob("*.toml")):
        for message in lesson_texts(file.read_text(encoding="utf-8")):
            template.add(message, None, [(f"lessons/{file.name}", 1)])
    return template


def read_catalogue(path: Path, language: str) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=language)


def is_translated(string: str | tuple) -> bool:
    """A translation is there: a text, or every plural form of one."""
    return all(string) if isinstance(string, tuple) else bool(string)


def read_translations(path: Path, language: str) -> dict:
    """``{msgid: msgstr}`` from a ``.po`` file, or from a ``.json`` object of the same (a list for plurals).

    A JSON file holds one language; its name ends in ``.<language>.json`` (``predictions.es.json``).
    """
    if path.suffix == ".json":
        if not path.name.endswith(f".{language}.json"):
            return {}
        loaded = json.loads(path.read_text(encoding="utf-8"))
        return {key: tuple(value) if isinstance(value, list) else value for key, value in loaded.items()}
    return {
        (f"{message.context}{CONTEXT_SEPARATOR}" if message.context else "") + str(message.id): message.string
        for message in read_catalogue(path, language)
        if message.id and is_translated(message.string)
    }


def write_catalogue(catalogue: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalogue, width=100, sort_output=False, omit_header=False)


def update_catalogues(extra_translations: list[Path] = ()) -> dict[str, int]:
    """Write the template and update every language's catalogue from it; returns untranslated counts.

    ``extra_translations``: other ``.po`` files whose translations fill messages still untranslated.
    Messages no longer in the code are dropped (Babel keeps them as obsolete entries only in memory).
    """
    template = extract_template()
    write_catalogue(template, TEMPLATE)
    missing = {}
    for language in LANGUAGES:
        path = catalogue_path(language)
        catalogue = (
            read_catalogue(path, language) if path.exists() else Catalog(locale=language, domain=DOMAIN)
        )
        catalogue.project, catalogue.version, catalogue.fuzzy = template.project, "1", False
        catalogue.header_comment = f"# {LANGUAGES[language]}: the texts of MNIST Demystified.\n# Made by scripts/update_translations.py; translators edit the msgstr lines."
        catalogue.language_team = catalogue.last_translator = "MNIST Demystified's team"
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        if language != SOURCE_LANGUAGE:
            for extra in extra_translations:
                for message_id, string in read_translations(extra, language).items():
                    context, _, bare = message_id.rpartition(CONTEXT_SEPARATOR)
                    entry = catalogue.get(bare, context or None)
                    if entry is not None and is_translated(string) and not is_translated(entry.string):
                        entry.string = string
        write_catalogue(catalogue, path)
        missing[language] = (
            sum(1 for message in catalogue if message.id and not message.string)
            if language != SOURCE_LANGUAGE
            else 0
        )
    return missing
