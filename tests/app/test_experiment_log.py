"""Build & Train's experiment log: many runs kept, a pinned baseline, branches, the same seed again."""

import json
import re
import time

from mnist_core.jobs.tasks import TaskState
from ui.training_runs import KEPT_MODELS

PAGE = "app_pages/build_and_train.py"


def wait_until_over(app, seconds: float = 180):
    task = app.session_state["train_task"]
    deadline = time.monotonic() + seconds
    while not task.snapshot().is_over:
        assert time.monotonic() < deadline, "training did not end in time"
        time.sleep(0.2)
    app.run()
    snapshot = task.snapshot()
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    return snapshot


def press(app, key: str):
    app.button(key=key).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return wait_until_over(app)


def chart_traces(app, key: str = "train_compare_chart") -> list[dict]:
    for element in app.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.spec)["data"]
    raise AssertionError(f"no chart with key {key}")


def log_table(app):
    return next(frame.value for frame in app.dataframe if "changed from baseline" in frame.value.columns)


def quick_settings(app):
    """One epoch of a few large batches: a run takes a few seconds even on a busy server."""
    app.slider(key="train_epochs").set_value(1).run()
    app.number_input(key="train_batch_size").set_value(4096).run()


def tiny_runs(count: int) -> list:
    """``count`` real runs of the engine on 200 images, with settings that vary from run to run."""
    from mnist_core.engine.spec import ModelSpec, TrainConfig
    from mnist_core.engine.training import train
    from ui.training_runs import FinishedRun

    runs = []
    for index in range(count):
        config = TrainConfig(
            epochs=1 + index % 2, batch_size=(32, 64, 100)[index % 3], train_limit=200, validation_size=50
        )
        spec = ModelSpec(learning_rate=(0.001, 0.01)[index // 6 % 2], dropout=((0.0,), (0.2,))[index // 12])
        batches = {"update": [], "loss": [], "accuracy": []}
        runs.append(FinishedRun(index + 1, train(spec, config), batches, TaskState.FINISHED))
    return runs


def test_the_log_keeps_every_run_with_the_baseline_pinned_and_unique_labels(open_page):
    from ui.training_runs import RUNS_KEY

    # 18 runs of this session so far (small ones, for speed), then two more trained on the page.
    app = open_page(PAGE, {RUNS_KEY: tiny_runs(18)})
    app.selectbox(key="train_log_baseline").set_value(2).run()  # pin run 2
    quick_settings(app)
    press(app, "train_start")
    app.number_input(key="train_batch_size").set_value(2048).run()
    press(app, "train_start")
    runs = app.session_state["train_runs"]
    assert [run.number for run in runs] == list(range(1, 21))
    assert app.session_state["train_baseline"] == 2
    assert sum(run.has_model for run in runs) == KEPT_MODELS  # only the latest few keep a model
    assert all(run.has_model for run in runs[-KEPT_MODELS:])
    assert all(run.result.weight_history is None for run in runs[:-KEPT_MODELS])

    table = log_table(app)
    assert len(table) == 20
    assert table["run"].tolist()[1] == "2 (baseline)"
    labels = [trace["name"] for trace in chart_traces(app)]
    assert len(labels) == 20 and len(set(labels)) == 20
    assert labels[1].startswith("Run 2 (baseline)")
    # Run 2 is 2 epochs at batch 64, lr 0.001, no dropout: each label names just what differs.
    assert labels[0] == "Run 1: epochs 1, batch size 32"
    assert labels[4] == "Run 5: epochs 1"
    assert labels[7] == "Run 8: learning rate 0.01"
    assert labels[13] == "Run 14: dropout 0.2"
    assert (
        labels[19] == "Run 20: epochs 1, batch size 2048, validation 5,000 held out, training images 55,000"
    )
    assert any(button.proto.label == "Download the log (.csv)" for button in app.get("download_button"))


def test_a_branch_changes_one_thing_and_the_same_seed_overlays_exactly(open_page):
    app = open_page(PAGE)
    quick_settings(app)
    press(app, "train_start")  # run 1, the baseline
    press(app, "train_again_same_seed")  # run 2: the same seed again
    press(app, "train_again_other_seed")  # run 3: another seed
    app.slider(key="train_dropout_0").set_value(0.3).run()
    assert "One change from run 1" in " ".join(c.value for c in app.caption)
    press(app, "train_branch")  # run 4: dropout 0.3, from run 1's initial weights
    assert not [header for header in app.subheader if "an earlier run" in header.value]
    runs = app.session_state["train_runs"]
    assert [row["val_accuracy"] for row in runs[1].result.epochs] == [
        row["val_accuracy"] for row in runs[0].result.epochs
    ]
    assert runs[2].result.epochs[0]["val_accuracy"] != runs[0].result.epochs[0]["val_accuracy"]
    assert runs[3].origin.startswith("branch of run 1, the same initial weights")
    table = log_table(app)
    assert table["changed from baseline"].tolist() == ["", "same settings", "seed 43", "dropout 0.3"]
    # Highlighted: the changed cells of runs 3 and 4, nothing of the baseline or its identical copy.
    frame = next(frame for frame in app.dataframe if "changed from baseline" in frame.value.columns)
    styles = frame.proto.arrow_data.styler.styles
    assert "rgba(230, 159, 0, 0.35)" in styles
    assert {int(row) for row in re.findall(r"row(\d+)_col\d+", styles)} == {2, 3}
    captions = " ".join(c.value for c in app.caption)
    assert "its validation accuracy curve is identical to the baseline's" in captions
    assert "Run 3 differs only in its seed (43)" in captions
    # Two settings changed: no branch, a word on why.
    app.slider(key="train_epochs").set_value(2).run()
    assert not [button for button in app.button if button.key == "train_branch"]
    assert "in 2 things" in " ".join(c.value for c in app.caption)


def test_changed_layers_cannot_share_initial_weights_and_the_page_says_so(open_page):
    app = open_page(PAGE)
    quick_settings(app)
    press(app, "train_start")
    app.select_slider(key="train_units_0").set_value(64).run()
    assert any("cannot start from run 1's initial weights" in info.value for info in app.info)
    press(app, "train_branch")
    assert app.session_state["train_runs"][1].origin == "branch of run 1, the same batch order"
