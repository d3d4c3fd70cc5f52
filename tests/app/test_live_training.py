"""Build & Train's live controls: slow motion, a step of one batch or one epoch, a learning rate changed mid-run."""

import time

from mnist_core.jobs.tasks import TaskState

PAGE = "app_pages/build_and_train.py"


def wait_for(predicate, seconds=120.0, what="the condition"):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} was not reached within {seconds:g} s"
        time.sleep(0.05)


def paused_after(task, updates_before):
    wait_for(
        lambda: task.state == TaskState.PAUSED
        and task.snapshot().detail.get("updates_done") != updates_before,
        what=f"a pause after update {updates_before}",
    )
    return task.snapshot().detail["updates_done"]


def test_step_change_the_learning_rate_and_watch_the_confusion_matrix(open_page):
    app = open_page(PAGE)
    app.slider(key="train_epochs").set_value(2).run()
    app.selectbox(key="train_speed").set_value(2).run()  # slow motion: 2 updates a second
    app.button(key="train_start").click().run()
    task = app.session_state["train_task"]
    wait_for(lambda: task.snapshot().detail.get("updates_done", 0) >= 1, what="the first update")
    started = task.snapshot().detail["updates_done"]
    time.sleep(1.5)
    assert task.snapshot().detail["updates_done"] - started <= 5, "slow motion ran too fast"

    app.run()
    app.button(key="train_step_batch").click().run()  # while running: pause after the next batch
    held = paused_after(task, None)
    app.run()
    app.button(key="train_step_batch").click().run()
    assert paused_after(task, held) == held + 1

    app.run()
    app.select_slider(key="train_live_learning_rate").set_value(0.01).run()
    app.button(key="train_change_learning_rate").click().run()
    assert any(f"0.01 from update {held + 2:,} on" in caption.value for caption in app.caption)
    app.selectbox(key="train_speed").set_value(0).run()  # full speed reaches the run in progress
    app.button(key="train_step_epoch").click().run()
    wait_for(
        lambda: task.state == TaskState.PAUSED and task.snapshot().detail.get("epochs"),
        what="the end of epoch 1",
    )
    detail = task.snapshot().detail
    assert detail["updates_done"] == detail["updates_per_epoch"] == 430
    assert detail["learning_rate_changes"] == [{"update": held + 1, "learning_rate": 0.01}]
    app.run()
    assert not app.exception
    assert any("Learning rate now: 0.01" in caption.value for caption in app.caption)
    charts = {chart.proto.id: chart for chart in app.get("plotly_chart")}
    live = {"train_batch_chart", "train_epoch_chart", "train_confusion_chart"}  # beside the network diagram
    assert live <= {chart_id.rsplit("-", 1)[-1] for chart_id in charts}
    assert any("after epoch 1" in chart.proto.spec for chart in charts.values())
    assert sum(sum(row) for row in detail["confusion"]["matrix"]) == 5_000

    app.button(key="train_task_pause").click().run()  # Resume
    wait_for(lambda: task.state.is_over, what="the end of the run")
    app.run()
    assert task.snapshot().state == TaskState.FINISHED
    assert not app.exception
