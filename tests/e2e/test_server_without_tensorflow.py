"""After every browser journey (trainings, drawings, traces, landscapes...), the server has no TensorFlow.

The Keras work ran in the server's worker processes. This runs last (``after_every_journey``), on the
server all the journeys shared, and writes the memory it finds to artifacts/server-memory.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def memory_mb(pid: int, name: str, where: str = "status") -> float:
    for line in Path(f"/proc/{pid}/{where}").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pss_mb(pid: int) -> float:
    """Proportional memory: pages shared between processes (TensorFlow's libraries in every worker)
    counted once in total, as the machine (and a container's memory limit) counts them."""
    return memory_mb(pid, "Pss", "smaps_rollup")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(child) for child in text]
    return found


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


@pytest.mark.after_every_journey
def test_the_server_never_loaded_tensorflow_and_its_workers_did_the_keras_work(server_process):
    server = server_process.pid
    maps = Path(f"/proc/{server}/maps").read_text()
    assert "tensorflow" not in maps, "a journey imported TensorFlow into the Streamlit server"
    workers = [pid for pid in children(server) if "mnist_core.jobs.worker" in command_line(pid)]
    # The journeys trained and predicted: the Keras work was done, by the workers.
    assert workers, "no worker process: the journeys' Keras work ran somewhere else"
    assert all("tensorflow" in Path(f"/proc/{pid}/maps").read_text() for pid in workers)
    memory = {
        "server_rss_mb": round(memory_mb(server, "VmRSS")),
        "workers_rss_mb": [round(memory_mb(pid, "VmRSS")) for pid in workers],
        "server_pss_mb": round(pss_mb(server)),
        "workers_pss_mb": [round(pss_mb(pid)) for pid in workers],
    }
    memory["total_pss_mb"] = memory["server_pss_mb"] + sum(memory["workers_pss_mb"])
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "server-memory.json").write_text(json.dumps(memory, indent=2))
    print(memory)
