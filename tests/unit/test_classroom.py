"""The class board's store: room codes, limits, the tally, the most confidently wrong, many threads."""

from __future__ import annotations

import threading
from collections import Counter

import numpy as np
import pytest

from mnist_core.data.mnist import load_mnist
from mnist_core.data.preprocess import preprocess
from mnist_core.teaching.classroom import (
    MAX_ENTRIES_PER_ROOM,
    ROOM_CODE_ALPHABET,
    ROOM_CODE_LENGTH,
    SECONDS_BETWEEN_DRAWINGS,
    ClassroomStore,
    Outcome,
    dense_softmax,
    is_local_url,
    join_url,
    most_confidently_wrong,
    normalize_code,
    shipped_network_answerer,
    tally,
    with_host,
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def one_hot(digit: int, confidence: float = 0.9) -> np.ndarray:
    probabilities = np.full(10, (1 - confidence) / 9, dtype=np.float32)
    probabilities[digit] = confidence
    return probabilities


class Scripted:
    """An answerer that gives the probabilities it is told, in order."""

    def __init__(self, answers):
        self.answers = list(answers)

    def __call__(self, images):
        return np.stack([self.answers.pop(0) for _ in images])


@pytest.fixture(scope="module")
def test_digits():
    _, (x_test, y_test) = load_mnist()
    return x_test[:400], y_test[:400]


def always(digit: int, confidence: float = 0.9):
    return lambda images: np.stack([one_hot(digit, confidence)] * len(images))


def test_room_codes_are_short_unambiguous_and_unique():
    store = ClassroomStore(always(0))
    codes = [store.open_room()[0] for _ in range(150)]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == ROOM_CODE_LENGTH and set(code) <= set(ROOM_CODE_ALPHABET)
    # nothing that reads like a digit or like another letter
    assert not set(ROOM_CODE_ALPHABET) & set("0O1IL5S2Z8B6GQUV")
    assert all(store.has_room(code) for code in codes)
    assert normalize_code(f" {codes[0][:2].lower()}-{codes[0][2:]} ") == codes[0]


def test_unknown_room_is_refused_with_a_message(test_digits):
    store = ClassroomStore(always(3))
    result = store.send("QQQQ", "student", 3, test_digits[0][0])
    assert result.outcome is Outcome.UNKNOWN_ROOM
    assert "no room with this code" in result.message
    assert store.view("QQQQ") is None


def test_a_drawing_is_preprocessed_as_on_the_predictions_page(test_digits):
    store = ClassroomStore(shipped_network_answerer())
    code, _ = store.open_room()
    canvas = np.zeros((280, 280, 4), dtype=np.uint8)  # a canvas's RGBA: a big MNIST digit, off-centre
    canvas[..., 3] = 255
    big = np.kron(test_digits[0][1], np.ones((6, 6), dtype=np.uint8))
    canvas[10:178, 60:228, :3] = big[..., None]
    result = store.send(code, "student", int(test_digits[1][1]), canvas)
    assert result.outcome is Outcome.SENT
    np.testing.assert_array_equal(result.entry.digit, preprocess(canvas).digit)
    assert result.entry.digit.shape == (28, 28) and result.entry.png.startswith(b"\x89PNG")
    assert result.entry.predicted == test_digits[1][1]  # a 2, read right
    assert "Sent" in result.message and "right" in result.message


def test_empty_drawings_are_refused_and_cost_no_waiting_time(test_digits):
    clock = Clock()
    store = ClassroomStore(always(1), clock)
    code, _ = store.open_room()
    assert store.send(code, "s", 1, None).outcome is Outcome.EMPTY_DRAWING
    blank = np.zeros((280, 280, 4), dtype=np.uint8)
    blank[..., 3] = 255
    refused = store.send(code, "s", 1, blank)
    assert refused.outcome is Outcome.EMPTY_DRAWING and "no ink" in refused.message
    assert store.send(code, "s", 1, test_digits[0][2]).outcome is Outcome.SENT
    assert len(store.view(code).entries) == 1


def test_one_drawing_every_two_seconds_per_student(test_digits):
    clock = Clock()
    store = ClassroomStore(always(7), clock)
    code, _ = store.open_room()
    image = test_digits[0][0]
    assert store.send(code, "ana", 7, image).outcome is Outcome.SENT
    clock.now += 0.6
    too_soon = store.send(code, "ana", 7, image)
    assert too_soon.outcome is Outcome.TOO_SOON
    assert too_soon.wait_seconds == pytest.approx(SECONDS_BETWEEN_DRAWINGS - 0.6)
    assert "wait 2 s" in too_soon.message  # 1.4 s, rounded up
    assert store.send(code, "ben", 7, image).outcome is Outcome.SENT  # someone else may
    clock.now += SECONDS_BETWEEN_DRAWINGS - 0.6
    assert store.send(code, "ana", 7, image).outcome is Outcome.SENT
    assert len(store.view(code).entries) == 3


def test_a_room_holds_at_most_300_drawings(test_digits):
    store = ClassroomStore(always(4))
    code, _ = store.open_room()
    image = test_digits[0][4]
    outcomes = Counter(store.send(code, f"s{i}", 4, image).outcome for i in range(MAX_ENTRIES_PER_ROOM + 5))
    assert outcomes == {Outcome.SENT: MAX_ENTRIES_PER_ROOM, Outcome.ROOM_FULL: 5}
    view = store.view(code)
    assert len(view.entries) == 300 and view.is_full
    assert "full" in store.send(code, "late", 4, image).message


def test_clear_needs_the_owner_key_and_empties_the_room(test_digits):
    clock = Clock()
    store = ClassroomStore(always(5), clock)
    code, owner_key = store.open_room()
    store.send(code, "s", 5, test_digits[0][0])
    version = store.version(code)
    assert not store.clear(code, "a student's guess")
    assert len(store.view(code).entries) == 1
    assert store.clear(code, owner_key)
    assert store.view(code).entries == () and store.version(code) > version
    assert store.send(code, "s", 5, test_digits[0][0]).entry.number == 2  # no waiting after a clear
    assert store.room_of_owner(owner_key) == code and store.room_of_owner("nope") is None


def test_tally_counts_right_and_wrong_per_intended_digit(test_digits):
    images, labels = test_digits
    store = ClassroomStore(shipped_network_answerer())
    code, _ = store.open_room()
    rng = np.random.default_rng(0)
    intended = np.where(rng.random(len(labels)) < 0.2, (labels + 1) % 10, labels)  # some meant otherwise
    for i, (image, meant) in enumerate(zip(images[:250], intended)):
        assert store.send(code, f"s{i}", int(meant), image).outcome is Outcome.SENT
    right, wrong = tally(store.view(code).entries)
    # the oracle: the same preprocessing, the network's answers, counted in a plain loop
    predicted = dense_softmax_oracle([preprocess(image).digit for image in images[:250]])
    expected_right, expected_wrong = np.zeros(10, int), np.zeros(10, int)
    for meant, said in zip(intended[:250], predicted):
        (expected_right if meant == said else expected_wrong)[meant] += 1
    np.testing.assert_array_equal(right, expected_right)
    np.testing.assert_array_equal(wrong, expected_wrong)
    assert right.sum() + wrong.sum() == 250 and wrong.sum() > 30


def dense_softmax_oracle(digits) -> np.ndarray:
    """The shipped Keras model's own answers."""
    from mnist_core.engine.default_model import load_default_model
    from mnist_core.inspect.evaluation import predict_probabilities

    return predict_probabilities(load_default_model(), np.stack(digits)).argmax(axis=1)


def test_the_numpy_network_gives_the_shipped_keras_models_probabilities(test_digits):
    from mnist_core.engine.default_model import FIRST_NETWORK, load_default_model, load_shipped_history
    from mnist_core.inspect.evaluation import predict_probabilities

    images = test_digits[0][:200]
    ours = dense_softmax(load_shipped_history(FIRST_NETWORK.key)[-1], images)
    np.testing.assert_allclose(ours, predict_probabilities(load_default_model(), images), atol=1e-5)


def test_most_confidently_wrong_sorts_by_the_networks_confidence(test_digits):
    answers = [one_hot(3, 0.99), one_hot(8, 0.6), one_hot(1, 0.95), one_hot(7, 0.99), one_hot(2, 0.8)]
    meant = [3, 3, 7, 1, 5]  # right, wrong 0.6, wrong 0.95, wrong 0.99, wrong 0.8
    clock = Clock()
    store = ClassroomStore(Scripted(answers), clock)
    code, _ = store.open_room()
    for i, digit in enumerate(meant):
        store.send(code, f"s{i}", digit, test_digits[0][i])
    entries = store.view(code).entries
    assert [e.number for e in most_confidently_wrong(entries)] == [4, 3, 5, 2]
    assert [e.number for e in most_confidently_wrong(entries, count=2)] == [4, 3]
    assert most_confidently_wrong(entries[:1]) == []


def test_many_threads_at_once_never_lose_or_double_a_drawing(test_digits):
    store = ClassroomStore(shipped_network_answerer(), Clock())  # time stands still: a resend is too soon
    code, _ = store.open_room()
    images = test_digits[0]
    results, start = [], threading.Barrier(60)

    def student(number: int):
        start.wait()
        for attempt in range(6):  # 60 x 6 = 360 tries at a room of 300, with a 2 s limit each
            results.append(store.send(code, f"s{number}-{attempt % 3}", 1, images[(number + attempt) % 400]))

    threads = [threading.Thread(target=student, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = Counter(result.outcome for result in results)
    entries = store.view(code).entries
    assert outcomes[Outcome.SENT] == len(entries) == 180  # 3 session ids per thread, one drawing each
    assert outcomes[Outcome.TOO_SOON] == 180
    assert sorted(e.number for e in entries) == list(range(1, 181))


def test_many_threads_fill_a_room_exactly_to_its_cap(test_digits):
    store = ClassroomStore(always(9))
    code, _ = store.open_room()
    start = threading.Barrier(40)
    outcomes = Counter()
    lock = threading.Lock()

    def student(number: int):
        start.wait()
        for attempt in range(10):
            outcome = store.send(code, f"{number}-{attempt}", 9, test_digits[0][attempt]).outcome
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=student, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == {Outcome.SENT: 300, Outcome.ROOM_FULL: 100}
    assert len(store.view(code).entries) == MAX_ENTRIES_PER_ROOM


def test_the_join_link_comes_from_the_boards_url():
    assert join_url("http://10.0.0.5:8501/class_board", "ACDX", "class_board") == (
        "http://10.0.0.5:8501/join?room=ACDX"
    )
    assert join_url("https://mnist.example.org/course/class_board/", "ACDX", "class_board") == (
        "https://mnist.example.org/course/join?room=ACDX"
    )
    assert join_url(None, "ACDX", "class_board") is None
    assert is_local_url("http://localhost:8501/join?room=ACDX")
    assert is_local_url("http://127.0.0.1:8501/join") and is_local_url("http://[::1]:8501/join")
    assert not is_local_url("http://192.168.1.20:8501/join")
    assert with_host("http://localhost:8501/join?room=ACDX", "192.168.1.20") == (
        "http://192.168.1.20:8501/join?room=ACDX"
    )


def test_one_student_pressing_send_on_many_threads_gets_one_drawing_through(test_digits):
    store = ClassroomStore(shipped_network_answerer(), Clock())
    code, _ = store.open_room()
    start, outcomes = threading.Barrier(30), []

    def press(number: int):
        start.wait()
        outcomes.append(store.send(code, "the same phone", 2, test_digits[0][number]).outcome)

    threads = [threading.Thread(target=press, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Counter(outcomes) == {Outcome.SENT: 1, Outcome.TOO_SOON: 29}


def test_the_oldest_room_goes_when_the_server_holds_too_many(monkeypatch):
    from mnist_core.teaching import classroom

    monkeypatch.setattr(classroom, "MAX_ROOMS", 3)
    clock = Clock()
    store = ClassroomStore(always(0), clock)
    codes = []
    for _ in range(4):
        codes.append(store.open_room()[0])
        clock.now += 1
    assert not store.has_room(codes[0])
    assert all(store.has_room(code) for code in codes[1:])
