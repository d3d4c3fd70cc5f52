"""Replayed runs and fairness on Build & Train, with two sessions of one server (two AppTests share
its server-wide caches, as two students' tabs do)."""

import threading
import time

from mnist_core.engine import replays
from mnist_core.i18n import in_language
from mnist_core.jobs.tasks import BackgroundTask, TaskState
from ui.fair_share import TRAINING_KEYS

PAGE = "app_pages/build_and_train.py"
SPANISH = {"_language_chosen": "es"}


def wait_until_over(app, seconds: float = 180):
    task = app.session_state["train_task"]
    deadline = time.monotonic() + seconds
    while not task.snapshot().is_over:
        assert time.monotonic() < deadline, "the run did not end in time"
        time.sleep(0.2)
    app.run()
    return task.snapshot()


def one_epoch(app, seed: int = 11):
    app.slider(key="train_epochs").set_value(1).run()
    app.number_input(key="train_seed").set_value(seed).run()
    return app


def infos(app) -> list[str]:
    return [info.value for info in app.info]


def test_a_second_session_with_the_same_settings_and_seed_gets_a_replay(open_page, monkeypatch):
    # A slow replay, so that a page run on a loaded machine surely ends while it is still replaying.
    monkeypatch.setattr(replays, "REPLAY_SECONDS", 10.0)
    monkeypatch.setattr(replays, "SECONDS_PER_EPOCH", 10.0)
    first = one_epoch(open_page(PAGE))
    first.button(key="train_start").click().run()
    trained = wait_until_over(first)
    assert trained.state == TaskState.FINISHED, trained.message
    assert "replay_of" not in trained.detail

    # AppTest formats a widget's options on this thread, which has no page: tell it the language.
    with in_language("es"):
        second = one_epoch(open_page(PAGE, session_state=SPANISH))
        second.button(key="train_start").click().run()
        task = second.session_state["train_task"]
        assert not task.snapshot().is_over
        assert task.snapshot().detail["batches"]["update"], "the first piece of the curves shows at once"
        assert (
            "Esta configuración y esta semilla se entrenaron en este servidor hace menos de un minuto: "
            "se reproduce esa ejecución." in infos(second)
        )
        assert second.button(key="train_afresh").label == "Entrenar de nuevo"
        replayed = wait_until_over(second)
        assert replayed.state == TaskState.FINISHED
        for name in ("batches", "epochs", "confusion", "updates_total"):
            assert replayed.detail[name] == trained.detail[name], name
        first_run, second_run = first.session_state["train_runs"][0], second.session_state["train_runs"][0]
        assert second_run.result.test_accuracy == first_run.result.test_accuracy
        assert second_run.result.epochs == first_run.result.epochs
        assert second_run.has_model and second_run.keras_bytes == first_run.keras_bytes  # the recorded model
        assert second_run.origin == "una reproducción de la misma ejecución entrenada antes en este servidor"
        assert any("Esta ejecución es una reproducción" in text for text in infos(second))
        assert not second.exception

    # The first student presses Train again: a replay too, said in English; they can train afresh.
    first.button(key="train_start").click().run()
    assert (
        "These settings and this seed were trained on this server less than a minute ago: replaying that run."
        in infos(first)
    )
    assert not first.session_state["train_task"].snapshot().is_over
    first.button(key="train_afresh").click().run()
    fresh = first.session_state["train_task"]
    assert wait_until_over(first).state == TaskState.FINISHED
    assert "replay_of" not in fresh.snapshot().detail, "afresh means a real training"
    assert first.session_state["train_runs"][-1].result.test_accuracy == first_run.result.test_accuracy


def test_other_settings_or_another_seed_train(open_page):
    first = one_epoch(open_page(PAGE), seed=12)
    first.button(key="train_start").click().run()
    wait_until_over(first)
    second = one_epoch(open_page(PAGE), seed=13)
    second.button(key="train_start").click().run()
    assert "replay_of" not in wait_until_over(second).detail


def test_a_run_estimated_past_the_servers_limit_is_refused(open_page, monkeypatch):
    monkeypatch.setenv("MNIST_MAX_RUN_SECONDS", "300")
    app = open_page(PAGE)
    app.number_input(key="train_batch_size").set_value(1).run()
    app.slider(key="train_epochs").set_value(50).run()
    assert any("MNIST_MAX_RUN_SECONDS" in error.value and "5 minutes" in error.value for error in app.error)
    assert app.button(key="train_start").disabled
    app.number_input(key="train_batch_size").set_value(128).run()
    app.slider(key="train_epochs").set_value(5).run()
    assert not app.error and not app.button(key="train_start").disabled


def test_one_training_per_session_across_pages(open_page):
    app = open_page(PAGE)
    release = threading.Event()
    # The scikit-learn page's comparison, still training in this session (a task that waits, so the
    # test decides when it ends).
    elsewhere = BackgroundTask(lambda control: release.wait(60), name="Train with both").start()
    app.session_state["sklearn_keras_task"] = elsewhere
    app.session_state[TRAINING_KEYS] = {"sklearn_keras_task"}
    app.run()
    assert app.button(key="train_start").disabled
    assert any("Your other training (Train with both)" in text for text in infos(app))
    release.set()
    elsewhere.join(5)
    app.run()
    assert not app.button(key="train_start").disabled
