"""The result store: one key for equal settings, a byte budget kept, one computation per key."""

import threading
import time

import numpy as np
import pytest

from mnist_core.jobs.result_store import ResultStore, fingerprint, size_in_bytes
from mnist_core.spec import ModelSpec, TrainConfig


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
