"""Lesson paths: a lecturer's sequence of steps through the app, written as small TOML files.

A path is a numbered list of steps. Each step opens one page with some of its settings (URL
parameters named after the page's widget keys), asks the class one question to predict before they
look, and keeps an explanation to reveal afterwards. The format is documented in
``lessons/README.md``; a minimal file::

    title = "Scaling the pixels"
    lesson = "Lesson 3"

    [[steps]]
    page = "build_and_train"
    prompt = "Will accuracy go up or down if the pixels are not scaled? Decide, then press Train."
    explanation = "Down: raw 0-255 inputs make the first updates huge, so training stalls."
    control = "train_start"
    result = "train_epoch_chart"
    settings = { train_scale = false, train_epochs = 5 }

Nothing here imports streamlit: the app passes in the pages it has and, if it knows them, each
page's widget keys, and every mistake is reported with the file, the step and the field.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mnist_core.i18n import N_, integer, tr

RESERVED_PARAMS = ("presenter", "lesson", "step", "model", "room", "lang")
# The lesson bar owns these: a step that set them would move the class out of the path or
# out of presenter view.
FORBIDDEN_STEP_PARAMS = ("presenter", "lesson", "step", "room")
MAX_STEPS = 30
MAX_FILE_BYTES = 100_000
PATH_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
PATH_FIELDS = {"id", "title", "lesson", "summary", "order", "steps"}
STEP_FIELDS = {"page", "prompt", "explanation", "settings", "control", "result", "covers", "title"}
SettingValue = str | int | float | bool


class LessonPathError(ValueError):
    """A lesson file that cannot be used; the message names the file, step and field and the fix."""


@dataclass(frozen=True)
class LessonStep:
    """One step: a page with its settings, a question to predict, and what happened."""

    page: str  # the page's file name without .py, as in its URL: "build_and_train"
    prompt: str  # asked before the class looks, shown large
    explanation: str  # revealed afterwards: what happened and why
    settings: tuple[tuple[str, SettingValue], ...] = ()  # widget key and value, in file order
    control: str | None = None  # widget key of the element to act on
    result: str | None = None  # widget key of the element that shows the outcome
    covers: tuple[str, ...] = ()  # ids of LESSONS.md bullets this step teaches
    title: str = ""  # a few words for the step list

    def query_params(self) -> dict[str, str]:
        """The step's settings as URL query parameters: text, toggles as "true" / "false"."""
        return {name: url_value(value) for name, value in self.settings}


@dataclass(frozen=True)
class LessonPath:
    """A lesson as a numbered sequence of steps."""

    id: str  # in the URL: ?lesson=<id>&step=<n>
    title: str
    lesson: str  # the short label in the bar: "Lesson 3"
    steps: tuple[LessonStep, ...]
    summary: str = ""
    order: int = 100  # paths are listed by order, then title
    source: str = ""  # the file it came from, for messages

    def __post_init__(self):
        if not self.steps:
            raise LessonPathError(
                tr("{source}: a path needs at least one step").format(source=self.source or self.id)
            )


def _fail(source: str, where: str, message: str) -> LessonPathError:
    return LessonPathError(f"{source}, {where}: {message}" if where else f"{source}: {message}")


def _text(raw: Mapping, name: str, source: str, where: str, required: bool) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str):
        raise _fail(
            source,
            where,
            tr("`{name}` must be text in quotes, got {value}").format(name=name, value=repr(value)),
        )
    value = value.strip()
    if required and not value:
        raise _fail(source, where, tr('`{name}` is missing: add {name} = "..."').format(name=name))
    return value


def url_value(value: SettingValue) -> str:
    """A setting as a URL parameter's text."""
    # bool before int: True is an int in Python, but a toggle's URL value is "true"/"false"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _setting_value(value: object, name: str, source: str, where: str) -> SettingValue:
    if isinstance(value, bool | int | float | str):
        return value
    raise _fail(
        source,
        where,
        tr("setting `{name}` must be a number, text or true/false, got {type}").format(
            name=name, type=type(value).__name__
        ),
    )


def _step(
    raw: object,
    number: int,
    source: str,
    pages: Collection[str] | None,
    widget_keys: Mapping[str, Collection[str]] | None,
) -> LessonStep:
    where = tr("step {number}").format(number=number)
    if not isinstance(raw, Mapping):
        raise _fail(source, where, tr("each step must be a [[steps]] table"))
    unknown = sorted(set(raw) - STEP_FIELDS)
    if unknown:
        raise _fail(
            source,
            where,
            tr("unknown field {field}; a step may have: {fields}").format(
                field=repr(unknown[0]), fields=", ".join(sorted(STEP_FIELDS))
            ),
        )
    page = _text(raw, "page", source, where, required=True)
    if pages is not None and page not in pages:
        raise _fail(
            source,
            where,
            tr("unknown page {page}; use one of: {pages}").format(
                page=repr(page), pages=", ".join(sorted(pages))
            ),
        )
    where = tr("step {number} ({page})").format(number=number, page=page)
    prompt = _text(raw, "prompt", source, where, required=True)
    explanation = _text(raw, "explanation", source, where, required=True)
    settings_raw = raw.get("settings", {})
    if not isinstance(settings_raw, Mapping):
        raise _fail(source, where, tr("`settings` must be a table: settings = { train_epochs = 5 }"))
    page_keys = None if widget_keys is None else widget_keys.get(page)
    settings = []
    for name, value in settings_raw.items():
        if name in FORBIDDEN_STEP_PARAMS:
            raise _fail(
                source,
                where,
                tr("setting `{name}` is set by the lesson bar itself; remove it").format(name=name),
            )
        if page_keys is not None and name not in page_keys and name not in RESERVED_PARAMS:
            raise _fail(
                source,
                where,
                tr("setting `{name}` is not a control of page {page}; its controls are: {controls}").format(
                    name=name, page=repr(page), controls=", ".join(sorted(page_keys))
                ),
            )
        settings.append((name, _setting_value(value, name, source, where)))
    named = {}
    for name in ("control", "result"):
        key = _text(raw, name, source, where, required=False) or None
        if key is not None and page_keys is not None and key not in page_keys:
            raise _fail(
                source,
                where,
                tr("`{name}` {key} is not an element key of page {page}; check its spelling").format(
                    name=name, key=repr(key), page=repr(page)
                ),
            )
        named[name] = key
    covers = raw.get("covers", [])
    if not (isinstance(covers, list) and all(isinstance(c, str) for c in covers)):
        raise _fail(source, where, tr('`covers` must be a list of bullet ids: covers = ["3.1", "3.4"]'))
    return LessonStep(
        page=page,
        prompt=prompt,
        explanation=explanation,
        settings=tuple(settings),
        control=named["control"],
        result=named["result"],
        covers=tuple(covers),
        title=_text(raw, "title", source, where, required=False),
    )


def parse_lesson_path(
    text: str,
    source: str,
    pages: Collection[str] | None = None,
    widget_keys: Mapping[str, Collection[str]] | None = None,
) -> LessonPath:
    """Read one lesson path from TOML text.

    Parameters
    ----------
    text : str
        The TOML document.
    source : str
        The file name, used as the default id and in every message.
    pages : collection of str, optional
        Page names a step may open; anything else is an error. None skips the check.
    widget_keys : mapping of page name to collection of str, optional
        The widget keys of each page; settings, ``control`` and ``result`` must be among them.

    Returns
    -------
    LessonPath

    Raises
    ------
    LessonPathError
        With the file, the step and the field, and what to change.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _fail(
            source,
            "",
            tr("not valid TOML ({error}); check quotes and brackets on that line").format(error=error),
        ) from None
    unknown = sorted(set(raw) - PATH_FIELDS)
    if unknown:
        raise _fail(
            source,
            "",
            tr("unknown field {field}; a path may have: {fields}").format(
                field=repr(unknown[0]), fields=", ".join(sorted(PATH_FIELDS))
            ),
        )
    path_id = raw.get("id", Path(source).stem.lower().replace("_", "-"))
    if not (isinstance(path_id, str) and PATH_ID_PATTERN.match(path_id)):
        raise _fail(
            source,
            "",
            tr("id {id} must be 1-40 lower-case letters, digits or dashes").format(id=repr(path_id)),
        )
    order = raw.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int):
        raise _fail(source, "", tr("`order` must be a whole number, got {value}").format(value=repr(order)))
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise _fail(
            source, "", tr("no steps: add at least one [[steps]] table with page, prompt and explanation")
        )
    if len(steps_raw) > MAX_STEPS:
        raise _fail(
            source,
            "",
            tr("{count} steps is too many; split it into paths of at most {most}").format(
                count=integer(len(steps_raw)), most=integer(MAX_STEPS)
            ),
        )
    steps = tuple(
        _step(step, number, source, pages, widget_keys) for number, step in enumerate(steps_raw, start=1)
    )
    return LessonPath(
        id=path_id,
        title=_text(raw, "title", source, "", required=True),
        lesson=_text(raw, "lesson", source, "", required=False) or N_("Lesson"),  # translated where shown
        steps=steps,
        summary=_text(raw, "summary", source, "", required=False),
        order=order,
        source=source,
    )


def load_lesson_paths(
    folders: Iterable[Path],
    pages: Collection[str] | None = None,
    widget_keys: Mapping[str, Collection[str]] | None = None,
) -> tuple[list[LessonPath], list[str]]:
    """Every ``*.toml`` path in the folders, and a message for each file that could not be read.

    A bad file never hides the good ones; a later folder's path replaces an earlier one of the same id,
    so a lecturer's folder can override a shipped path.

    Returns
    -------
    paths : list of LessonPath
        Sorted by ``order``, then title.
    problems : list of str
        One message per file left out.
    """
    by_id: dict[str, LessonPath] = {}
    problems = []
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            problems.append(
                tr("{folder}: not a folder, so no lesson paths were read from it").format(folder=folder)
            )
            continue
        for file in sorted(folder.glob("*.toml")):
            try:
                if file.stat().st_size > MAX_FILE_BYTES:
                    raise _fail(
                        file.name,
                        "",
                        tr("larger than {size} kB; is it a lesson file?").format(
                            size=integer(MAX_FILE_BYTES // 1000)
                        ),
                    )
                path = parse_lesson_path(file.read_text(encoding="utf-8"), file.name, pages, widget_keys)
            except (LessonPathError, UnicodeDecodeError, OSError) as error:
                problems.append(str(error))
                continue
            by_id[path.id] = path
    return sorted(by_id.values(), key=lambda p: (p.order, p.title)), problems


@dataclass(frozen=True)
class Bullet:
    """One item of the LESSONS.md checklist."""

    id: str  # "3.2": lesson 3, second bullet; "spine.4": the life cycle's fourth step
    text: str


def checklist_bullets(markdown: str) -> list[Bullet]:
    """The bullets of LESSONS.md with their ids, leaving out the "Figures measured" section.

    Lesson N's k-th bullet is ``"N.k"``; the spine's numbered life-cycle steps are ``"spine.1"`` to
    ``"spine.6"``.
    """
    bullets: list[Bullet] = []
    prefix = None
    current: list[str] | None = None
    count = 0
    for line in markdown.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            lesson = re.match(r"Lesson (\d+)\b", heading)
            prefix = (
                lesson.group(1) if lesson else "spine" if heading.lower().startswith("the spine") else None
            )
            count = 0
            current = None
            continue
        if prefix is None:
            continue
        if prefix == "spine":
            for number, text in re.findall(r"(\d)\.\s+(.+?)(?=\s+\d\.\s|$)", line):
                bullets.append(Bullet(f"spine.{number}", text.strip()))
            continue
        if line.startswith("- "):
            count += 1
            current = [line[2:].strip()]
            bullets.append(Bullet(f"{prefix}.{count}", current[0]))
        elif current is not None and line.startswith("  ") and line.strip():
            current.append(line.strip())
            bullets[-1] = Bullet(bullets[-1].id, " ".join(current))
    return bullets


@dataclass(frozen=True)
class PageKeys:
    """The element keys a page's source gives its widgets, charts and tabs.

    Keys built with an f-string (``f"train_units_{index}"``) become patterns that match any value
    in place of each ``{...}``.
    """

    names: frozenset[str]
    patterns: tuple[str, ...] = ()  # regular expressions

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (
            key in self.names or any(re.fullmatch(p, key) for p in self.patterns)
        )

    def __iter__(self):
        yield from sorted(self.names)
        yield from (p.replace(".+", "<n>") for p in self.patterns)

    def __len__(self) -> int:
        return len(self.names) + len(self.patterns)


def _keys_in_source(source: str) -> tuple[set[str], set[str]]:
    tree = ast.parse(source)
    constants = {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, str)
    }
    names, patterns = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):  # st.button(**{"label": ..., "key": "sklearn_train"})
            for name, value in zip(node.keys, node.values):
                if isinstance(name, ast.Constant) and name.value == "key" and isinstance(value, ast.Constant):
                    names.add(str(value.value))
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            value = keyword.value
            if keyword.arg != "key":
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                names.add(value.value)
            elif isinstance(value, ast.Name) and value.id in constants:
                names.add(constants[value.id])
            elif isinstance(value, ast.JoinedStr):
                patterns.add(
                    "".join(
                        re.escape(part.value) if isinstance(part, ast.Constant) else ".+"
                        for part in value.values
                    )
                )
    return names, patterns


def page_widget_keys(
    app_root: Path, pages_folder: str = "app_pages", helpers: str = "ui"
) -> dict[str, PageKeys]:
    """Each page's element keys, read from its source and the app's own modules it imports.

    Parameters
    ----------
    app_root : Path
        The folder holding ``app_pages/`` and ``ui/``.

    Returns
    -------
    dict of page name (file stem) to PageKeys
    """
    import_pattern = re.compile(r"^[ \t]*from ([\w.]+) import ([\w ,]+?)(?:[ \t]*#.*)?$", re.M)
    own_folders = (app_root / pages_folder, app_root / helpers)

    def helper_files(source: str) -> list[Path]:
        """The app's modules a source imports: ``from ui.x import y`` and ``from ui import x``."""
        found = []
        for package, listed in import_pattern.findall(source):
            base = app_root.joinpath(*package.split("."))
            names = [part.split(" as ")[0].strip() for part in listed.split(",")]
            for candidate in [base.with_suffix(".py"), *(base / f"{name}.py" for name in names)]:
                if candidate.is_file() and any(folder in candidate.parents for folder in own_folders):
                    found.append(candidate)
        return found

    result = {}
    for page_file in sorted((app_root / pages_folder).glob("*.py")):
        names, patterns = set(), set()
        seen, todo = set(), [page_file]
        while todo:
            file = todo.pop()
            if file in seen:
                continue
            seen.add(file)
            source = file.read_text(encoding="utf-8")
            found_names, found_patterns = _keys_in_source(source)
            names |= found_names
            patterns |= found_patterns
            todo.extend(helper_files(source))
        result[page_file.stem] = PageKeys(frozenset(names), tuple(sorted(patterns)))
    return result
