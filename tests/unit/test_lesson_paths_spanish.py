"""The shipped lessons in Spanish: every text translated, numbers written the Spanish way, messages too."""

import re
from pathlib import Path

import pytest

from mnist_core.i18n import in_language, tr
from mnist_core.i18n_catalogue import lesson_texts
from mnist_core.teaching.lesson_paths import LessonPathError, parse_lesson_path

LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"
TEXTS = [text for file in sorted(LESSONS_DIR.glob("*.toml")) for text in lesson_texts(file.read_text())]
SAME_IN_BOTH = {"MLPClassifier"}  # a scikit-learn class name, a step's title
# 60,000 and 0.95 in English prose; a tuple such as (60000, 28, 28, 1) is code and has no such number.
ENGLISH_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\d.,])\d+\.\d+(?![\d.])")
# In Spanish, 1,000 reads as one and 0.95 is no number: 0,001 is a decimal, 60.000 a thousands mark.
LEFT_IN_ENGLISH = re.compile(
    r"(?<![\d.,])[1-9]\d{0,2}(?:,\d{3})+(?![\d,])|(?<![\d.,])\d+\.(?:\d{1,2}|\d{4,})(?!\d)"
)


def spanish(text: str) -> str:
    with in_language("es"):
        return tr(text)


def spanish_style(number: str) -> str:
    """60,000 -> 60.000 and 0.95 -> 0,95: the marks swap."""
    return number.translate(str.maketrans(",.", ".,"))


def test_the_shipped_lessons_have_texts_to_translate():
    assert len(TEXTS) > 150 and sum(map(len, TEXTS)) > 15_000


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: t[:40])
def test_every_shipped_text_has_spanish_with_spanish_numbers(text):
    translated = spanish(text)
    if text not in SAME_IN_BOTH:
        assert translated != text, "no Spanish yet: add it to mnist_core/locales/es/LC_MESSAGES/messages.po"
    for number in ENGLISH_NUMBER.findall(text):
        assert spanish_style(number) in translated, (number, translated)
    assert not LEFT_IN_ENGLISH.findall(translated), translated
    # the code in a text stays as it is
    for code in re.findall(r"\w+\([^()]*(?:\([^()]*\))?[^()]*\)", text):
        if re.search(r"\d[.,]\d", code) is None:
            assert code in translated, (code, translated)


def test_the_detector_of_english_numbers_finds_them():
    found = ENGLISH_NUMBER.findall(
        "70,000 images, 0.95 accuracy, (60000, 28, 28, 1), 1,234,567 and 5 -> [0,1]"
    )
    assert found == ["70,000", "0.95", "1,234,567"]


def test_a_mistake_in_a_lesson_file_is_explained_in_spanish():
    text = 'title = "Mía"\n[[steps]]\npage = "data"\nexplanation = "255."\n'
    with in_language("es"), pytest.raises(LessonPathError) as error:
        parse_lesson_path(text, "mia.toml", pages={"data"})
    assert str(error.value) == 'mia.toml, paso 1 (data): falta `prompt`: añade prompt = "..."'
    with pytest.raises(LessonPathError, match=r"mia.toml, step 1 \(data\): `prompt` is missing"):
        parse_lesson_path(text, "mia.toml", pages={"data"})  # English outside a Spanish page


def test_spanish_step_titles_leave_the_bar_one_row():
    """The bar's first row holds "Lección 7 · paso 3 de 4 · <title>" and four buttons. At 1280 x 720
    in presenter view, 46 characters of lesson and title still fit beside "Mostrar qué pasó"; a longer
    one (48 measured) pushes Salir onto a second row and the bar grows by 50 px."""
    from mnist_core.teaching.lesson_paths import load_lesson_paths

    paths, _ = load_lesson_paths([LESSONS_DIR])
    too_long = [
        (path.id, number, spanish(step.title))
        for path in paths
        for number, step in enumerate(path.steps, start=1)
        if len(spanish(path.lesson)) + len(spanish(step.title)) > 46
    ]
    assert too_long == []


def test_a_multi_line_text_is_extracted_as_the_bar_shows_it():
    text = 'title = "T"\n[[steps]]\npage = "data"\nprompt = """\nUp or down?\n"""\nexplanation = "Down."\n'
    path = parse_lesson_path(text, "t.toml")
    assert list(lesson_texts(text)) == ["T", path.steps[0].prompt, "Down."] == ["T", "Up or down?", "Down."]
