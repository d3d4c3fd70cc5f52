"""The translation catalogues and numbers written per language (mnist_core.i18n)."""

import pickle
import re
import threading

import pytest

from mnist_core import i18n
from mnist_core.i18n_catalogue import TEMPLATE, extract_template, is_translated, read_catalogue

PLACEHOLDER = re.compile(r"\{[a-z_0-9]*(?:[:!][^}]*)?\}")


def test_numbers_follow_the_language():
    assert (i18n.number(0.95123, 4), i18n.integer(60000), i18n.percent(0.953)) == ("0.9512", "60,000", "95%")
    with i18n.in_language("es"):
        assert i18n.number(0.95123, 4) == "0,9512"
        assert i18n.integer(60000) == "60.000"
        assert i18n.percent(0.9531, 1) == "95,3\xa0%"
        assert i18n.decimal_separators() == ",."


@pytest.mark.parametrize(
    ("locale", "language"),
    [("es-AR", "es"), ("es_ES", "es"), ("en-GB", "en"), ("fr-FR", "en"), (None, "en"), ("", "en")],
)
def test_the_browser_locale_picks_the_closest_language(locale, language):
    assert i18n.negotiate_language(locale) == language


def test_a_language_set_on_one_thread_stays_there():
    seen = {}
    with i18n.in_language("es"):
        thread = threading.Thread(target=lambda: seen.update(language=i18n.current_language()))
        thread.start()
        thread.join()
        assert i18n.current_language() == "es"
    assert seen["language"] == "en"
    assert i18n.run_in_language("es", i18n.current_language) == "es"


def test_spanish_translates_and_english_is_the_source():
    with i18n.in_language("es"):
        assert i18n.tr("Predictions") == "Predicciones"
    assert i18n.tr("Predictions") == "Predictions"
    assert i18n.tr("a text no catalogue has") == "a text no catalogue has"


def test_the_template_is_up_to_date_with_the_code():
    """Run ``python scripts/update_translations.py`` when this fails."""
    in_code = {message.id for message in extract_template() if message.id}
    in_template = {message.id for message in read_catalogue(TEMPLATE, "en") if message.id}
    assert in_code - in_template == set(), "texts in the code missing from messages.pot"
    assert in_template - in_code == set(), "texts in messages.pot no longer in the code"


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_every_message_is_in_every_catalogue(language):
    template = {message.id for message in read_catalogue(TEMPLATE, "en") if message.id}
    catalogue = read_catalogue(i18n.catalogue_path(language), language)
    assert template - {message.id for message in catalogue if message.id} == set()
    if language != i18n.SOURCE_LANGUAGE:
        untranslated = [m.id for m in catalogue if m.id and not is_translated(m.string)]
        assert untranslated == [], f"{len(untranslated)} texts without a {language} translation"
        fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
        assert fuzzy == [], "fuzzy translations are not used: check and unmark them"


@pytest.mark.parametrize("language", sorted(set(i18n.LANGUAGES) - {i18n.SOURCE_LANGUAGE}))
def test_translations_keep_every_placeholder(language):
    """A translation that drops or renames a {placeholder} would fail at .format() on the page."""
    for message in read_catalogue(i18n.catalogue_path(language), language):
        if not message.id or not is_translated(message.string):
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(sources[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


def test_one_english_word_with_two_meanings_gets_two_translations():
    split = i18n.NP_("data split", "Train")
    assert split == "Train" and i18n.tr(split) == "Train"  # links and comparisons see the English
    with i18n.in_language("es"):
        assert i18n.tr(split) == "Entrenamiento"  # the training set
        assert i18n.tr("Train") == "Entrenar"  # the button
        assert i18n.tr(pickle.loads(pickle.dumps(split))) == "Entrenamiento"  # it travels to a worker
