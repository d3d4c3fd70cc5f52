"""Progress patches: what a worker sends must rebuild exactly the detail dict the job built."""

import copy

import numpy as np

from mnist_core.jobs.messages import apply_patch, diff_detail, same
from mnist_core.jobs.tasks import TaskControl


def test_a_growing_curve_sends_only_its_new_points():
    sent = {"batches": {"loss": [1.0, 0.9]}, "epochs": [{"epoch": 1}]}
    now = {"batches": {"loss": [1.0, 0.9, 0.8]}, "epochs": [{"epoch": 1}, {"epoch": 2}], "phase": "training"}
    edits = diff_detail(sent, now)
    assert ("extend", ("batches", "loss"), [0.8]) in edits
    assert ("extend", ("epochs",), [{"epoch": 2}]) in edits
    assert ("set", ("phase",), "training") in edits
    apply_patch(sent, edits)
    assert sent == now


def test_replaced_shrunk_and_removed_values_are_rebuilt():
    sent = {"loss_curve": [3, 2, 1], "gone": 1, "grid": np.zeros(3), "nan": float("nan")}
    now = {"loss_curve": [5], "grid": np.ones(3), "nan": sent["nan"]}
    edits = diff_detail(sent, now)
    rebuilt = copy.deepcopy(sent)
    apply_patch(rebuilt, edits)
    assert rebuilt.keys() == now.keys()
    assert rebuilt["loss_curve"] == [5]
    assert np.array_equal(rebuilt["grid"], np.ones(3))
    assert diff_detail(now, now) == []


def test_same_compares_arrays_and_lists_of_arrays():
    assert same([np.arange(3)], [np.arange(3)])
    assert not same([np.arange(3)], [np.arange(4)])
    assert not same(np.arange(3), [0, 1, 2])


def test_every_control_fits_the_protocol():
    from recording_control import RecordingControl

    from mnist_core.jobs.control import EventSignals, WorkerControl
    from mnist_core.jobs.tasks import BackgroundTask, ThreadTaskControl
    from mnist_core.scikit.sklearn_models import ShiftedControl

    worker = WorkerControl(lambda message: None, EventSignals())
    worker.close()
    for control in (
        RecordingControl(),
        worker,
        ThreadTaskControl(BackgroundTask(lambda c: None)),
        ShiftedControl(RecordingControl(), 0, 1),
    ):
        assert isinstance(control, TaskControl)


def test_the_job_layer_imports_no_tensorflow_keras_ray_or_streamlit():
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, mnist_core.jobs, mnist_core.jobs.keras_jobs, mnist_core.jobs.process_executor, "
        "mnist_core.jobs.ray_executor\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'ray', 'streamlit'}))"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_training_job_passes_requests_and_self_pause_through_to_its_control():
    from recording_control import RecordingControl

    from mnist_core.jobs.keras_jobs import _KeepDetail

    class Asking(RecordingControl):
        def take_request(self, name):
            return {"step": 1}.get(name)

        def pause(self, message="Paused"):
            self.paused_with = message

    inner = Asking()
    keeper = _KeepDetail(inner)
    assert keeper.take_request("step") == 1 and keeper.take_request("speed") is None
    keeper.pause("One epoch done")
    assert inner.paused_with == "One epoch done"
    keeper.update_detail(lambda detail: detail.setdefault("batches", {"loss": []})["loss"].append(0.5))
    assert keeper.detail == inner.detail == {"batches": {"loss": [0.5]}}
