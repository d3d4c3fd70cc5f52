"""The server's one result store: two sessions asking the same thing cost one computation, at once or
one after the other, and what is kept is counted in bytes (ui.results)."""

import threading

import pytest

from mnist_core.jobs.model_jobs import ModelRef
from ui.results import budget_bytes, server_results
from ui.worker_jobs import model_description

PREDICTIONS = "app_pages/predictions.py"


def test_a_second_student_on_predictions_gets_the_first_ones_test_evaluation(open_page, jobs_sent):
    server_results().forget("model.test_evaluation")
    first = open_page(PREDICTIONS)
    assert jobs_sent.count("evaluate_test_set") == 1
    kept = server_results().bytes_by_kind()
    assert kept["model.test_evaluation"] > 10_000 * 8  # its predictions of the 10,000 test images at least
    second = open_page(PREDICTIONS)  # another session of the same server
    assert jobs_sent.count("evaluate_test_set") == 1
    accuracy = {m.label: m.value for m in first.metric}["Test accuracy"]
    assert {m.label: m.value for m in second.metric}["Test accuracy"] == accuracy == "0.9559"


def test_sessions_asking_at_once_wait_for_one_worker_job(jobs_sent):
    server_results().forget("model.description")
    ref = ModelRef.of_shipped("default-convnet")
    start, answers = threading.Barrier(6), []

    def ask():
        start.wait()
        answers.append(model_description(ref))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert jobs_sent.count("describe_model") == 1
    assert len(answers) == 6 and all(answer is answers[0] for answer in answers)
    weights = sum(w.nbytes for layer in answers[0].layers for w in layer.weights)
    assert weights <= server_results().bytes_by_kind()["model.description"] < weights + 100_000


@pytest.mark.parametrize(
    ("new", "old", "megabytes"),
    [("", "", 256), ("64", "", 64), ("", "32", 32), ("0.5", "32", 0.5), ("lots", "", 256)],
)
def test_the_budget_comes_from_mnist_result_mb_or_its_older_name(monkeypatch, new, old, megabytes):
    monkeypatch.setenv("MNIST_RESULT_MB", new)
    monkeypatch.setenv("MNIST_RESULT_STORE_MB", old)
    assert budget_bytes() == int(megabytes * 2**20)
