"""Lesson paths: the loader, its messages, and the shipped paths against the pages and LESSONS.md."""

from pathlib import Path

import pytest

from mnist_core.teaching.lesson_paths import (
    RESERVED_PARAMS,
    LessonPathError,
    checklist_bullets,
    load_lesson_paths,
    page_widget_keys,
    parse_lesson_path,
)

ROOT = Path(__file__).resolve().parents[2]
LESSONS_DIR = ROOT / "lessons"
CHECKLIST = ROOT / "docs" / "LESSONS.md"
SHARED_CHECKLIST = Path("/work/shared/LESSONS.md")  # the original, where the project keeps it
PAGE_KEYS = page_widget_keys(ROOT)
PAGES = set(PAGE_KEYS) - {"lessons"}

GOOD = """
title = "Scaling"
lesson = "Lesson 3"

[[steps]]
page = "build_and_train"
prompt = "Up or down?"
explanation = "Down."
control = "train_start"
result = "train_epoch_chart"
covers = ["3.6"]
settings = { train_scale = false, train_epochs = 5, train_learning_rate = 0.001 }

[[steps]]
page = "data"
prompt = "Which value?"
explanation = "255."
"""


def parse(text, name="scaling.toml"):
    return parse_lesson_path(text, name, pages=PAGES, widget_keys=PAGE_KEYS)


@pytest.fixture(scope="module")
def shipped():
    paths, problems = load_lesson_paths([LESSONS_DIR], pages=PAGES, widget_keys=PAGE_KEYS)
    assert problems == []
    return paths


def test_a_good_file_becomes_frozen_steps_with_url_values():
    path = parse(GOOD)
    assert (path.id, path.title, path.lesson, len(path.steps)) == ("scaling", "Scaling", "Lesson 3", 2)
    first = path.steps[0]
    assert first.query_params() == {
        "train_scale": "false",
        "train_epochs": "5",
        "train_learning_rate": "0.001",
    }
    assert (first.control, first.result, first.covers) == ("train_start", "train_epoch_chart", ("3.6",))
    assert path.steps[1].settings == ()
    with pytest.raises(AttributeError):
        first.page = "data"  # frozen


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ('page = "data"', 'page = "datta"'),
            r"scaling.toml, step 2: unknown page 'datta'; use one of: .*data",
        ),
        (('prompt = "Which value?"\n', ""), r"step 2 \(data\): `prompt` is missing: add prompt ="),
        (('explanation = "255."', "explanation = 255"), r"step 2 \(data\): `explanation` must be text"),
        (
            ("train_epochs = 5", "train_epoch = 5"),
            r"step 1 \(build_and_train\): setting `train_epoch` is not a control of page 'build_and_train'",
        ),
        (
            ("train_epochs = 5", "step = 2"),
            r"step 1 \(build_and_train\): setting `step` is set by the lesson bar",
        ),
        (
            ("train_epochs = 5", "train_epochs = [5]"),
            r"setting `train_epochs` must be a number, text or true/false",
        ),
        (('control = "train_start"', 'control = "train_go"'), r"`control` 'train_go' is not an element key"),
        (('covers = ["3.6"]', 'covers = "3.6"'), r"`covers` must be a list of bullet ids"),
        (('prompt = "Up or down?"', 'prompt = "Up or down?"\nhint = "x"'), r"step 1: unknown field 'hint'"),
        (('title = "Scaling"', 'title = "Scaling'), r"scaling.toml: not valid TOML .*check quotes"),
        (('title = "Scaling"', 'title = "Scaling"\norder = "first"'), r"`order` must be a whole number"),
        (
            ('title = "Scaling"', 'title = "Scaling"\nid = "Big Path"'),
            r"id 'Big Path' must be 1-40 lower-case",
        ),
    ],
)
def test_mistakes_name_the_file_step_and_field(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(LessonPathError, match=message):
        parse(GOOD.replace(old, new, 1))


def test_a_file_without_steps_says_how_to_add_one():
    with pytest.raises(LessonPathError, match=r"empty.toml: no steps: add at least one \[\[steps\]\]"):
        parse('title = "Nothing yet"', "empty.toml")


def test_a_bad_file_is_reported_and_the_good_ones_still_load(tmp_path):
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "bad.toml").write_text(GOOD.replace('page = "data"', 'page = "nowhere"'))
    paths, problems = load_lesson_paths([tmp_path], pages=PAGES, widget_keys=PAGE_KEYS)
    assert [p.id for p in paths] == ["good"]
    assert len(problems) == 1 and problems[0].startswith("bad.toml, step 2: unknown page 'nowhere'")


def test_a_later_folder_overrides_a_path_of_the_same_id(tmp_path, shipped):
    (tmp_path / "mine.toml").write_text('id = "lesson-3"\n' + GOOD)
    paths, _ = load_lesson_paths([LESSONS_DIR, tmp_path], pages=PAGES, widget_keys=PAGE_KEYS)
    assert len(paths) == len(shipped)
    assert next(p for p in paths if p.id == "lesson-3").title == "Scaling"


def test_a_missing_folder_is_a_problem_not_a_crash(tmp_path):
    paths, problems = load_lesson_paths([tmp_path / "nope"])
    assert paths == [] and "not a folder" in problems[0]


def test_widget_keys_are_read_from_the_page_and_its_helpers():
    keys = PAGE_KEYS["build_and_train"]
    assert "train_start" in keys  # in the page itself
    assert (
        "train_epochs" in keys and "train_units_3" in keys
    )  # in app_pages/build_and_train_ui/train_form.py, one an f-string
    assert "train_epochs" not in PAGE_KEYS["data"]
    assert "surface_part" in PAGE_KEYS["loss_surface"]  # the lazy tabs' key
    assert "sklearn_train" in PAGE_KEYS["sklearn_tuning"]  # a key passed in a dict of button options


def test_shipped_paths_one_per_lesson_and_the_life_cycle(shipped):
    assert [p.id for p in shipped] == ["life-cycle"] + [f"lesson-{n}" for n in range(1, 8)]
    for path in shipped:
        assert 3 <= len(path.steps) <= 8, path.id
        assert path.lesson and path.title and path.summary


def test_every_shipped_setting_is_a_real_control_of_its_page(shipped):
    for path in shipped:
        for number, step in enumerate(path.steps, start=1):
            for name, _ in step.settings:
                assert name in PAGE_KEYS[step.page] or name in RESERVED_PARAMS, (path.id, number, name)
            for key in (step.control, step.result):
                assert key is None or key in PAGE_KEYS[step.page], (path.id, number, key)


def test_shipped_prompts_are_short_questions(shipped):
    for path in shipped:
        for number, step in enumerate(path.steps, start=1):
            assert "?" in step.prompt, (path.id, number)
            assert len(step.prompt) <= 220, (path.id, number, len(step.prompt))
            assert len(step.explanation) > len(step.prompt) / 2, (path.id, number)


def test_the_checklist_parser_finds_every_bullet():
    bullets = checklist_bullets(CHECKLIST.read_text())
    ids = [b.id for b in bullets]
    assert ids[:6] == [f"spine.{n}" for n in range(1, 7)]
    per_lesson = {n: sum(i.startswith(f"{n}.") for i in ids) for n in range(1, 8)}
    assert per_lesson == {1: 7, 2: 5, 3: 8, 4: 5, 5: 7, 6: 2, 7: 5}
    assert len(ids) == len(set(ids))
    assert bullets[ids.index("3.5")].text.startswith("Batches and epochs")
    assert "ceil(60000 / batch size)" in bullets[ids.index("3.5")].text  # continuation lines are joined
    assert not any("5.5-6.5 s" in b.text for b in bullets)  # "Figures measured ..." is left out


def test_shipped_paths_cover_every_bullet_of_the_checklist(shipped):
    bullets = {b.id: b.text for b in checklist_bullets(CHECKLIST.read_text())}
    covered = {bullet for path in shipped for step in path.steps for bullet in step.covers}
    missing = [f"{i}: {text[:60]}" for i, text in bullets.items() if i not in covered]
    assert not missing, "bullets no step covers:\n" + "\n".join(missing)
    assert covered <= set(bullets), f"ids that are no bullet: {sorted(covered - set(bullets))}"


@pytest.mark.skipif(not SHARED_CHECKLIST.exists(), reason="the shared checklist is not on this machine")
def test_the_copy_of_the_checklist_is_current():
    assert CHECKLIST.read_text() == SHARED_CHECKLIST.read_text(), "copy /work/shared/LESSONS.md to docs/"


def test_the_documented_example_is_a_valid_path():
    readme = (LESSONS_DIR / "README.md").read_text()
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    path = parse(example, "scaling.toml")
    assert (path.id, len(path.steps), path.steps[1].query_params()) == (
        "scaling",
        2,
        {"train_scale": "false", "train_epochs": "5"},
    )
