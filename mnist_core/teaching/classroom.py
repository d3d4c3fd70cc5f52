"""A live class board: students draw digits on their phones, the lecturer's board shows them all.

A lecturer opens a room and gets a short code. Students join with it, say which digit
they mean and draw it; each drawing goes through MNIST's preprocessing (exactly as on
the Predictions page) and the shipped default network answers. The board reads the room:
every drawing with its answer, a tally of right and wrong per digit, and the drawings the
network got wrong with the most confidence.

Everything lives in the server's memory, in one ``ClassroomStore``: no names, no files,
nothing outlives the server. Its one lock is held only to read or change the lists, never
while preprocessing or predicting, so 50 phones sending at once do not queue behind each
other's arithmetic.
"""

from __future__ import annotations

import io
import math
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from mnist_core.data.mnist import N_CLASSES
from mnist_core.data.preprocess import preprocess
from mnist_core.i18n import integer, number, tr
from mnist_core.inspect.trace import dense_forward

# Letters only, so a phone's first keyboard is enough, and none that read or sound like
# another: no I/L (1), O/Q (0), S (5), Z (2), B (8), G (6), U/V.
ROOM_CODE_ALPHABET = "ACDEFHJKMNPRTWXY"
ROOM_CODE_LENGTH = 4  # 16**4 = 65,536 codes
MAX_ENTRIES_PER_ROOM = 300
SECONDS_BETWEEN_DRAWINGS = 2.0  # per student (browser session)
MAX_ROOMS = 200  # a 300-drawing room is about 0.4 MB; the oldest room goes when a new one would exceed this
MOST_CONFIDENTLY_WRONG = 6

Answerer = Callable[[np.ndarray], np.ndarray]  # uint8 images (n, 28, 28) -> probabilities (n, 10)


class Outcome(Enum):
    """What happened to a drawing a student sent."""

    SENT = "sent"
    TOO_SOON = "too soon"
    ROOM_FULL = "room full"
    UNKNOWN_ROOM = "unknown room"
    EMPTY_DRAWING = "empty drawing"


@dataclass(frozen=True)
class Entry:
    """One drawing on the board.

    Attributes
    ----------
    number : int
        1 for the room's first drawing, counting on after a clear.
    digit : ndarray of shape (28, 28), uint8
        The drawing after MNIST's preprocessing: what the network saw.
    intended : int
        The digit the student said they would draw.
    probabilities : ndarray of shape (10,), float32
        The network's softmax output.
    sent_at : float
        Seconds on the store's clock.
    png : bytes
        ``digit`` as a 28 x 28 grayscale PNG, made once for the board.
    """

    number: int
    digit: np.ndarray
    intended: int
    probabilities: np.ndarray
    sent_at: float
    png: bytes = field(repr=False)

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        """The probability the network gave its own answer."""
        return float(self.probabilities[self.predicted])

    @property
    def correct(self) -> bool:
        return self.predicted == self.intended


@dataclass(frozen=True)
class SendResult:
    """The answer to a student's Send: what happened, and the entry when it was sent."""

    outcome: Outcome
    entry: Entry | None = None
    wait_seconds: float = 0.0  # for TOO_SOON: how long until the next drawing is accepted
    detail: str = ""  # for EMPTY_DRAWING: what the preprocessing found

    @property
    def message(self) -> str:
        """One sentence for the student's phone, in the current language."""
        if self.outcome is Outcome.SENT:
            entry = self.entry
            sent = (
                tr(
                    "Sent. The network read a {digit} (probability {probability}): right! Look at the board, or draw another."
                )
                if entry.correct
                else tr(
                    "Sent. The network read a {digit} (probability {probability}): not the {intended} you meant. "
                    "Look at the board, or draw another."
                )
            )
            return sent.format(
                digit=entry.predicted, probability=number(entry.confidence, 2), intended=entry.intended
            )
        if self.outcome is Outcome.TOO_SOON:
            return tr("Too soon: wait {seconds} s, then press Send again.").format(
                seconds=math.ceil(self.wait_seconds)
            )
        if self.outcome is Outcome.ROOM_FULL:
            return tr("The board is full ({count} drawings). Wait until the lecturer clears it.").format(
                count=integer(MAX_ENTRIES_PER_ROOM)
            )
        if self.outcome is Outcome.UNKNOWN_ROOM:
            return tr(
                "There is no room with this code (any more). Check the code on the board and type it again."
            )
        return tr("Nothing to send: {problem}. Draw one digit, large, then Send.").format(
            problem=self.detail or tr("the canvas is empty")
        )


@dataclass(frozen=True)
class RoomView:
    """A room as the board sees it at one moment: a copy, safe to read without the lock.

    Attributes
    ----------
    code : str
    entries : tuple of Entry
        Oldest first.
    version : int
        Changes whenever a drawing arrives or the room is cleared, so a board can skip
        redrawing when nothing happened.
    """

    code: str
    entries: tuple[Entry, ...]
    version: int

    @property
    def is_full(self) -> bool:
        return len(self.entries) >= MAX_ENTRIES_PER_ROOM


@dataclass
class _Room:
    code: str
    owner_key: str
    opened_at: float
    entries: list[Entry] = field(default_factory=list)
    last_sent: dict[str, float] = field(default_factory=dict)  # browser session id -> time of its drawing
    version: int = 0
    next_number: int = 1


def normalize_code(text: str | None) -> str:
    """A typed room code as stored: capitals, without spaces or dashes ("ac-dx " -> "ACDX")."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


class ClassroomStore:
    """Every room of one server, behind one lock.

    Parameters
    ----------
    answer : callable
        Takes uint8 images of shape (n, 28, 28) and returns probabilities of shape (n, 10);
        ``shipped_network_answerer()`` in the app.
    clock : callable
        Seconds, monotonic; the tests pass their own.
    """

    def __init__(self, answer: Answerer, clock: Callable[[], float] = time.monotonic):
        self._answer = answer
        self._clock = clock
        self._lock = threading.Lock()
        self._rooms: dict[str, _Room] = {}

    def open_room(self) -> tuple[str, str]:
        """Open a new, empty room.

        Returns
        -------
        code : str
            ``ROOM_CODE_LENGTH`` letters of ``ROOM_CODE_ALPHABET``, for the students.
        owner_key : str
            A long secret for the lecturer's board link: who has it can clear the room.
        """
        owner_key = secrets.token_urlsafe(16)
        with self._lock:
            while True:
                code = "".join(secrets.choice(ROOM_CODE_ALPHABET) for _ in range(ROOM_CODE_LENGTH))
                if code not in self._rooms:
                    break
            if len(self._rooms) >= MAX_ROOMS:
                oldest = min(self._rooms.values(), key=lambda room: room.opened_at)
                del self._rooms[oldest.code]
            self._rooms[code] = _Room(code, owner_key, self._clock())
        return code, owner_key

    def has_room(self, code: str) -> bool:
        with self._lock:
            return normalize_code(code) in self._rooms

    def room_of_owner(self, owner_key: str) -> str | None:
        """The code of the room opened with ``owner_key``, or None if it is gone."""
        with self._lock:
            for room in self._rooms.values():
                if secrets.compare_digest(room.owner_key, owner_key or ""):
                    return room.code
        return None

    def view(self, code: str) -> RoomView | None:
        """A snapshot of the room, or None if there is no such room."""
        with self._lock:
            room = self._rooms.get(normalize_code(code))
            if room is None:
                return None
            return RoomView(room.code, tuple(room.entries), room.version)

    def version(self, code: str) -> int | None:
        with self._lock:
            room = self._rooms.get(normalize_code(code))
            return None if room is None else room.version

    def clear(self, code: str, owner_key: str) -> bool:
        """Empty the room (and its students' waiting times); False unless ``owner_key`` opened it."""
        with self._lock:
            room = self._rooms.get(normalize_code(code))
            if room is None or not secrets.compare_digest(room.owner_key, owner_key or ""):
                return False
            room.entries.clear()
            room.last_sent.clear()
            room.version += 1
            return True

    def _refusal(self, code: str, session_id: str, now: float) -> SendResult | None:
        """Why the room cannot take a drawing from this student now, or None. Call with the lock held."""
        room = self._rooms.get(code)
        if room is None:
            return SendResult(Outcome.UNKNOWN_ROOM)
        if len(room.entries) >= MAX_ENTRIES_PER_ROOM:
            return SendResult(Outcome.ROOM_FULL)
        last = room.last_sent.get(session_id)
        if last is not None and now - last < SECONDS_BETWEEN_DRAWINGS:
            return SendResult(Outcome.TOO_SOON, wait_seconds=SECONDS_BETWEEN_DRAWINGS - (now - last))
        return None

    def send(self, code: str, session_id: str, intended: int, pixels: np.ndarray | None) -> SendResult:
        """A student's drawing: preprocess it, let the network answer, put it on the board.

        Parameters
        ----------
        code : str
            The room code as typed (normalized here).
        session_id : str
            The student's browser session; at most one drawing every ``SECONDS_BETWEEN_DRAWINGS``.
        intended : int
            The digit the student meant, 0-9.
        pixels : array-like of shape (h, w), (h, w, 3) or (h, w, 4), or None
            The canvas's RGBA data.

        Returns
        -------
        SendResult
            A refused drawing (unknown room, full, too soon, empty) costs the student no waiting time.
        """
        if not 0 <= int(intended) < N_CLASSES:
            raise ValueError(f"intended must be a digit from 0 to 9, got {intended}")
        code = normalize_code(code)
        with self._lock:
            refusal = self._refusal(code, session_id, self._clock())
        if refusal is not None:
            return refusal
        if pixels is None:
            return SendResult(Outcome.EMPTY_DRAWING)
        try:
            digit = preprocess(pixels).digit
        except ValueError as error:
            return SendResult(Outcome.EMPTY_DRAWING, detail=str(error).split(":")[0])
        probabilities = np.asarray(self._answer(digit[None]), dtype=np.float32)[0]
        png = digit_png(digit)
        with self._lock:  # checked again: the room may have been cleared, filled or used meanwhile
            now = self._clock()
            refusal = self._refusal(code, session_id, now)
            if refusal is not None:
                return refusal
            room = self._rooms[code]
            entry = Entry(room.next_number, digit, int(intended), probabilities, now, png)
            room.entries.append(entry)
            room.last_sent[session_id] = now
            room.next_number += 1
            room.version += 1
        return SendResult(Outcome.SENT, entry)


def digit_png(digit: np.ndarray) -> bytes:
    """A (28, 28) uint8 image as PNG bytes (a few hundred)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(digit, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def tally(entries: tuple[Entry, ...] | list[Entry]) -> tuple[np.ndarray, np.ndarray]:
    """Right and wrong answers per intended digit.

    Returns
    -------
    right, wrong : ndarray of shape (10,), int64
        ``right[d]``: drawings meant as d that the network read as d.
    """
    intended = np.array([entry.intended for entry in entries], dtype=np.int64)
    correct = np.array([entry.correct for entry in entries], dtype=bool)
    right = np.bincount(intended[correct], minlength=N_CLASSES)
    wrong = np.bincount(intended[~correct], minlength=N_CLASSES)
    return right, wrong


def most_confidently_wrong(entries, count: int = MOST_CONFIDENTLY_WRONG) -> list[Entry]:
    """The wrong answers the network was surest of, surest first (newer first on a tie)."""
    wrong = [entry for entry in entries if not entry.correct]
    return sorted(wrong, key=lambda entry: (-entry.confidence, -entry.number))[:count]


def dense_softmax(weights: list[np.ndarray], images: np.ndarray) -> np.ndarray:
    """A Dense ReLU network with a softmax output, in NumPy, on raw 0-255 pixels.

    Parameters
    ----------
    weights : list of ndarray
        As ``model.get_weights()`` of the shipped first network: kernel (784, 32), bias (32,),
        kernel (32, 10), bias (10,); any number of ReLU layers before the last.
    images : array-like of shape (n, 28, 28), values 0-255

    Returns
    -------
    ndarray of shape (n, 10), float32
    """
    values = np.asarray(images, dtype=np.float32).reshape(len(images), -1) / 255.0
    activations = ["relu"] * (len(weights) // 2 - 1) + ["softmax"]
    return dense_forward(list(weights), values, activations)[-1][1].astype(np.float32)


def shipped_network_answerer() -> Answerer:
    """The shipped default network (784-32-10) as a NumPy function: no TensorFlow needed.

    Its final weights come from the weight history saved beside the .keras file (a unit
    test checks both give the same probabilities). Predicting one drawing takes
    microseconds, and 50 phones never load TensorFlow's 0.7 GB into the server.
    """
    from mnist_core.engine.default_model import FIRST_NETWORK, load_shipped_history

    final_weights = [
        np.asarray(array, dtype=np.float32) for array in load_shipped_history(FIRST_NETWORK.key)[-1]
    ]
    return lambda images: dense_softmax(final_weights, images)


LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0")


def join_url(page_url: str | None, code: str, board_path: str, join_path: str = "join") -> str | None:
    """The students' link to a room, from the URL the lecturer's browser shows for the board.

    ``page_url`` is ``st.context.url`` (no query), e.g. ``http://10.0.0.5:8501/class_board``;
    the app may sit under a base path, which is kept. None when the URL is unknown.
    """
    if not page_url:
        return None
    parts = urlsplit(page_url)
    path = parts.path.rstrip("/")
    if path.endswith("/" + board_path):
        path = path[: -len(board_path) - 1]
    return urlunsplit((parts.scheme, parts.netloc, f"{path}/{join_path}", f"room={code}", ""))


def is_local_url(url: str | None) -> bool:
    """True when a URL names this machine only (phones cannot open it)."""
    return bool(url) and (urlsplit(url).hostname or "") in {h.strip("[]") for h in LOCAL_HOSTS}


def with_host(url: str, host: str) -> str:
    """``url`` with its host replaced, keeping the port."""
    parts = urlsplit(url)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def lan_address() -> str | None:
    """This machine's address on its local network, or None.

    A UDP socket "connected" to a private address makes the kernel pick the outgoing
    interface; no packet is sent, so nothing leaves the machine.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address
