"""Jobs on a model named by reference (mnist_core.jobs.model_jobs): a worker loads it once, the caller never."""

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from mnist_core.jobs import TaskState, ThreadExecutor, model_jobs
from mnist_core.jobs.model_jobs import ModelCall, ModelRef, describe_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mnist_arrays():
    from mnist_core.data.mnist import load_mnist

    return load_mnist()


def test_a_reference_names_exactly_one_model():
    assert ModelRef.of_shipped("default").fingerprint == "shipped:default"
    assert ModelRef.of_bytes(b"abc") == ModelRef.of_bytes(b"abc")
    assert ModelRef.of_bytes(b"abc") != ModelRef.of_bytes(b"abd")
    with pytest.raises(ValueError, match="exactly one"):
        ModelRef("x")
    with pytest.raises(ValueError, match="exactly one"):
        ModelRef("x", shipped_key="default", keras_bytes=b"abc")


def test_a_spooled_model_is_written_once_and_loads_from_its_file(tmp_path):
    from mnist_core.engine.default_model import SMALL_CONVNET

    data = SMALL_CONVNET.path.read_bytes()
    ref = ModelRef.spooled(data, tmp_path / "spool")
    again = ModelRef.spooled(data, tmp_path / "spool")
    assert ref == again and ref.fingerprint == ModelRef.of_bytes(data).fingerprint
    assert Path(ref.keras_path).read_bytes() == data
    assert [p.name for p in (tmp_path / "spool").iterdir()] == [f"{ref.fingerprint}.keras"]
    assert len(pickle.dumps(ref)) < 500  # what travels with each call
    assert model_jobs.model_for(ref).count_params() > 0


def test_a_call_is_plain_data_that_runs_anywhere(mnist_arrays):
    from mnist_core.engine.default_model import load_shipped
    from mnist_core.inspect.evaluation import predict_probabilities

    (_, _), (x_test, _) = mnist_arrays
    call = ModelCall(predict_probabilities, ModelRef.of_shipped("default"), (x_test[:20],))
    shipped = pickle.loads(pickle.dumps(call))
    with ThreadExecutor(1) as executor:
        first = executor.submit(shipped, name="predict").join(120)
        loads = model_jobs.load_count
        second = executor.submit(shipped, name="predict").join(120)
    assert first.state == second.state == TaskState.FINISHED
    np.testing.assert_allclose(
        first.result, predict_probabilities(load_shipped("default"), x_test[:20]), atol=1e-6
    )
    assert model_jobs.load_count == loads, "the second call loaded the model again"


def test_a_description_holds_what_the_pages_read_of_a_model():
    from mnist_core.engine.default_model import load_shipped

    model = load_shipped("default")
    described = describe_model(model)
    assert described.input_shape == (784,)
    assert [layer.kind for layer in described.layers] == [type(layer).__name__ for layer in model.layers]
    assert described.parameters == model.count_params()
    dense = [layer for layer in described.layers if layer.kind == "Dense"]
    assert dense[-1].units == 10 and dense[-1].activation == "softmax"
    for layer, original in zip(described.layers, model.layers):
        for mine, theirs in zip(layer.weights, original.get_weights()):
            np.testing.assert_array_equal(mine, theirs)
    assert not described.is_convnet
    assert describe_model(load_shipped("default-convnet")).is_convnet


JOURNEY = textwrap.dedent(
    """
    import functools, pickle, sys
    import job_samples
    from mnist_core.data.mnist import load_mnist
    from mnist_core.inspect.evaluation import predict_probabilities
    from mnist_core.jobs.model_jobs import ModelCall, ModelRef, describe_model
    from mnist_core.jobs.process_executor import ProcessExecutor, ProcessPoolConfig

    pool = ProcessExecutor(ProcessPoolConfig(workers=1))
    (_, _), (x_test, _) = load_mnist()
    ref = ModelRef.of_shipped("default")
    answers = [pool.submit(ModelCall(predict_probabilities, ref, (x_test[i : i + 1],))).join(300) for i in range(3)]
    described = pool.submit(ModelCall(describe_model, ref)).join(60)
    loads = pool.submit(job_samples.models_loaded_here).join(60)
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("tensorflow", "keras"))
    pool.shutdown()
    with open(sys.argv[1], "wb") as out:
        pickle.dump({"answers": [a.result for a in answers], "states": [a.state.value for a in answers],
                     "described": described.result, "loads": loads.result, "loaded": loaded}, out)
    """
)


def test_a_worker_answers_for_a_model_the_caller_never_loads(tmp_path, mnist_arrays):
    out = tmp_path / "journey.pickle"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests" / "unit")])}
    done = subprocess.run(
        [sys.executable, "-c", JOURNEY, str(out)], cwd=ROOT, env={**env, "TF_CPP_MIN_LOG_LEVEL": "2"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    journey = pickle.loads(out.read_bytes())
    assert journey["loaded"] == [], "the calling process imported TensorFlow or Keras"
    assert journey["states"] == ["finished"] * 3
    assert journey["loads"] == 1, "the worker loaded the model more than once for three calls"
    from mnist_core.engine.default_model import load_shipped
    from mnist_core.inspect.evaluation import predict_probabilities

    (_, _), (x_test, _) = mnist_arrays
    expected = predict_probabilities(load_shipped("default"), x_test[:3])
    np.testing.assert_allclose(np.concatenate(journey["answers"]), expected, atol=1e-5)
    assert journey["described"].parameters == load_shipped("default").count_params()
