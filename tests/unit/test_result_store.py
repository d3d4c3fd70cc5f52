"""The result store: one key for equal settings, a byte budget kept, one computation per key."""

import pickle
import threading
import time
from dataclasses import dataclass

import numpy as np
import pytest

from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.jobs.result_store import ResultStore, fingerprint, size_in_bytes


def test_equal_settings_give_one_key_and_any_difference_another():
    spec = ModelSpec(hidden_units=(32,), dropout=(0.0,))
    key = fingerprint("train", spec, TrainConfig(epochs=5, seed=1), "bundled")
    assert key == fingerprint(
        "train", ModelSpec(hidden_units=(32,), dropout=(0.0,)), TrainConfig(epochs=5, seed=1), "bundled"
    )
    assert key != fingerprint("train", spec, TrainConfig(epochs=5, seed=2), "bundled")
    assert key != fingerprint("train", spec, TrainConfig(epochs=5, seed=1), "/elsewhere")
    assert key != fingerprint("landscape", spec, TrainConfig(epochs=5, seed=1), "bundled")
    assert key.startswith("train:")


def test_arrays_and_dicts_are_keyed_by_content_not_identity_or_order():
    images = np.arange(784, dtype=np.uint8).reshape(28, 28)
    assert fingerprint("tsne", images.copy(), {"b": 1, "a": 2}) == fingerprint(
        "tsne", images, {"a": 2, "b": 1}
    )
    changed = images.copy()
    changed[0, 0] += 1
    assert fingerprint("tsne", changed) != fingerprint("tsne", images)
    assert fingerprint("x", images.astype(np.float32)) != fingerprint(
        "x", images
    )  # same numbers, other dtype


def test_a_setting_that_cannot_be_fingerprinted_is_refused_with_what_to_pass():
    with pytest.raises(TypeError, match="cannot fingerprint a object"):
        fingerprint("train", object())


def test_the_byte_budget_evicts_the_least_recently_used():
    store = ResultStore(budget_bytes=3000)
    for name in "abc":
        store.put(name, np.zeros(1000, np.uint8))
    store.get("a")  # now b is the least recently used
    store.put("d", np.zeros(1000, np.uint8))
    assert "b" not in store and all(name in store for name in "acd")
    stats = store.stats()
    assert stats.bytes_used == 3000 <= stats.budget_bytes and stats.evictions == 1


def test_a_result_larger_than_the_budget_is_not_kept_and_keeps_the_others():
    store = ResultStore(budget_bytes=100)
    store.put("small", b"x" * 50)
    assert store.put("huge", b"x" * 101) is False
    assert "small" in store and "huge" not in store


def test_replacing_a_key_counts_its_size_once():
    store = ResultStore(budget_bytes=1000)
    store.put("a", b"x" * 600)
    store.put("a", b"x" * 700)
    assert store.stats().bytes_used == 700


def test_many_callers_at_once_compute_a_missing_result_once():
    store = ResultStore()
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return "map"

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(store.get_or_compute("k", slow))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["map"] * 8 and len(calls) == 1


def test_a_failed_computation_is_not_kept_and_can_be_tried_again():
    store = ResultStore()
    with pytest.raises(ValueError):
        store.get_or_compute("k", lambda: (_ for _ in ()).throw(ValueError("diverged")))
    assert "k" not in store
    assert store.get_or_compute("k", lambda: 42) == 42


def test_sizes_are_measured():
    assert size_in_bytes(np.zeros((10, 10), np.float32)) == 400
    assert size_in_bytes(b"abc") == 3
    assert size_in_bytes({"curve": list(range(1000))}) > 1000


@dataclass(frozen=True)
class _Maps:
    name: str
    coordinates: np.ndarray
    weights: list


def test_a_dataclass_of_arrays_costs_its_arrays_and_a_little_more():
    maps = _Maps("hidden", np.zeros((1000, 2)), [np.zeros((784, 32), np.float32), np.zeros(32, np.float32)])
    arrays = 1000 * 2 * 8 + 784 * 32 * 4 + 32 * 4
    assert arrays <= size_in_bytes(maps) <= arrays + 1000
    # a list of them: each one's arrays, once
    assert size_in_bytes([maps, maps]) < 1.01 * size_in_bytes(maps) + 100


def test_an_array_referred_to_twice_is_counted_once_and_pickle_agrees_on_plain_data():
    weights = np.ones((500, 100), np.float32)
    assert size_in_bytes((weights, weights)) < weights.nbytes + 500
    plain = {"losses": [0.5] * 100, "label": "run 1", "pixels": np.zeros((28, 28), np.uint8)}
    pickled = len(pickle.dumps(plain))
    assert 0.5 * pickled < size_in_bytes(plain) < 10 * pickled


def test_an_object_pickle_refuses_is_still_sized_by_what_it_holds():
    class Index:
        def __init__(self):
            self.lock = threading.Lock()  # not picklable
            self.projected = np.zeros((1000, 50), np.float32)

    assert size_in_bytes(Index()) >= 200_000


def test_a_store_forgets_one_kind_and_counts_bytes_per_kind():
    store = ResultStore()
    store.put(fingerprint("landscape", 1), np.zeros(1000, np.uint8))
    store.put(fingerprint("landscape", 2), np.zeros(500, np.uint8))
    store.put(fingerprint("tsne", 1), np.zeros(300, np.uint8))
    assert store.bytes_by_kind() == {"landscape": 1500, "tsne": 300}
    assert store.forget("landscape") == 2
    assert store.stats().bytes_used == 300 and store.stats().entries == 1
    store.clear()
    assert store.stats().bytes_used == 0 and fingerprint("tsne", 1) not in store


def test_results_computed_by_many_threads_stay_within_the_budget():
    store = ResultStore(budget_bytes=10_000)

    def ask(start):
        for n in range(start, start + 50):
            store.get_or_compute(fingerprint("x", n % 30), lambda n=n: np.zeros(1000, np.uint8))

    threads = [threading.Thread(target=ask, args=(start,)) for start in range(0, 40, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = store.stats()
    assert stats.bytes_used == 1000 * stats.entries <= 10_000 and stats.evictions > 0
