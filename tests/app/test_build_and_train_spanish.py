"""Build & Train in Spanish before, during and after real (small) trainings: no English sentence anywhere.

The training thread has no page to take its language from: its progress and failure messages
must come out in the language of the page that pressed Train.
"""

import time

import pytest
from page_texts import english_sentences, page_texts

from app_pages.build_and_train_ui.experiment_log import METRIC_LABELS
from app_pages.build_and_train_ui.live_training import SPEED_LABELS
from app_pages.build_and_train_ui.train_form import ARCHITECTURE_LABELS, VALIDATION_LABELS
from mnist_core.engine.experiments import SETTING_NAMES
from mnist_core.engine.spec import PRESET_LABELS, PRESETS
from mnist_core.engine.training import SLOW_MOTION_SPEEDS
from mnist_core.i18n import in_language, tr
from mnist_core.jobs.tasks import TaskState
from ui.links import PAGE_PARAMS

PAGE = "app_pages/build_and_train.py"


def wait_for(predicate, what: str, seconds: float = 180.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} was not reached within {seconds:g} s"
        time.sleep(0.1)


def english_left(app) -> list[str]:
    return english_sentences(page_texts(app))


def progress_texts(app) -> list[str]:
    return [element.proto.text for element in app.get("progress")]


def test_a_spanish_training_reads_in_spanish_from_start_to_result(open_page):
    with in_language("es"):  # AppTest calls the widgets' format_func on this thread, to find the options
        spanish_training(open_page)


def spanish_training(open_page):
    app = open_page(PAGE, session_state={"_language_chosen": "es"})
    assert app.title[0].value == "Construir y entrenar"
    assert not english_left(app), english_left(app)

    # A tiny run (27 updates) in slow motion, so it is caught while it trains.
    app.slider(key="train_epochs").set_value(1).run()
    app.number_input(key="train_batch_size").set_value(2048).run()
    app.selectbox(key="train_speed").set_value(10).run()
    app.button(key="train_start").click().run()
    task = app.session_state["train_task"]
    wait_for(lambda: task.snapshot().detail.get("updates_done", 0) >= 2, "the second gradient update")
    assert task.snapshot().message.startswith("Época 1 de 1: "), task.snapshot().message
    app.run()
    assert any("Época 1 de 1" in text and "En curso" in text for text in progress_texts(app)), progress_texts(
        app
    )
    assert app.button(key="train_task_pause").label == "Pausar"
    assert app.button(key="train_task_stop").label == "Detener"
    assert not english_left(app), english_left(app)

    app.selectbox(key="train_speed").set_value(0).run()  # full speed reaches the run in progress
    wait_for(lambda: task.state.is_over, "the end of the run")
    app.run()
    assert task.snapshot().state == TaskState.FINISHED, task.snapshot().message
    metrics = {metric.label: metric.value for metric in app.metric}
    assert "," in metrics["Exactitud de prueba"]  # 0,9... : the Spanish decimal mark
    assert "Registro de experimentos: las ejecuciones de esta sesión" in [h.value for h in app.subheader]
    assert not english_left(app), english_left(app)

    # A second run from the experiment log: the log, its comparison chart and its notes in Spanish.
    app.button(key="train_again_same_seed").click().run()
    second = app.session_state["train_task"]
    assert second is not task
    wait_for(lambda: second.state.is_over, "the end of the second run")
    app.run()
    assert second.snapshot().state == TaskState.FINISHED, second.snapshot().message
    runs = app.session_state["train_runs"]
    assert len(runs) == 2 and runs[1].origin == "otra vez la ejecución 1, misma semilla"
    assert any("Ejecución 2 tiene los ajustes" in caption.value or "La ejecución 2" in caption.value
               for caption in app.caption)  # fmt: skip
    table = app.dataframe[-1].value
    assert {"ejecución", "cambios", "exactitud de prueba"} <= set(table.columns)
    assert not english_left(app), english_left(app)


def test_the_same_page_stays_english_in_english(open_page):
    app = open_page(PAGE)
    assert app.title[0].value == "Build & Train"
    assert app.button(key="train_start").label == "Train"
    assert len(english_left(app)) > 10


@pytest.mark.parametrize(
    ("key", "labels"),
    [
        ("train_preset", PRESET_LABELS),
        ("train_architecture", ARCHITECTURE_LABELS),
        ("train_validation", VALIDATION_LABELS),
        ("train_speed", SPEED_LABELS),
        ("train_compare_metric", METRIC_LABELS),
    ],
)
def test_bound_options_have_the_links_labels_and_a_spanish_one(key, labels):
    """A link carries an option's label: the widget's must be the link's, and Spanish must have its own."""
    assert dict(labels) == dict(PAGE_PARAMS["build_and_train"][key].source_options({}))
    with in_language("es"):
        assert all(tr(label) != label for label in labels.values()), [tr(label) for label in labels.values()]


def test_the_written_out_labels_match_what_they_stand_for():
    assert {key: f"{preset.title} · {preset.lesson}" for key, preset in PRESETS.items()} == PRESET_LABELS
    assert tuple(SPEED_LABELS) == (0, *SLOW_MOTION_SPEEDS)
    with in_language("es"):
        assert len({tr(name) for name in SETTING_NAMES}) == len(SETTING_NAMES)  # the log's columns stay apart
