"""How long Inside the network's script takes to rerun with a model, as a student waits for it.

Runs the page through ``AppTest`` from ``app.py`` in this interpreter with the app's own executor
(``MNIST_EXECUTOR=process`` unless set), so Keras work goes wherever the page sends it. Each case is
a widget change; the first run of each is warm-up (a worker loading the model, caches filling), the
median of the next ``--repeats`` is reported, with the load average (the machine is shared).

Run from the repository root:  python benchmarks/bench_inside_rerun.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MNIST_EXECUTOR", "process")

INSIDE = "app_pages/inside_the_network.py"


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    from streamlit.testing.v1 import AppTest

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    print(f"executor {os.environ['MNIST_EXECUTOR']}, load average before: {load()}")

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    app.switch_page(INSIDE)
    print(f"first visit (cold): {timed(app.run):.2f} s")
    assert not app.exception, [e.value for e in app.exception]

    def case(name: str, change) -> None:
        change(0)  # warm-up: the model loads, the caches fill
        assert not app.exception, [e.value for e in app.exception]
        times = [timed(lambda i=i: change(i)) for i in range(1, repeats + 1)]
        assert not app.exception, [e.value for e in app.exception]
        print(
            f"{name}: median {statistics.median(times) * 1000:.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}), load {load()}"
        )

    case("trace, another unit (same digit)", lambda i: app.slider(key="inside_unit_0").set_value(i).run())
    case("trace, another test image", lambda i: app.number_input(key="inside_test_index").set_value(i).run())
    app.selectbox(key="model").set_value("default-convnet").run()
    case(
        "convnet trace, another test image",
        lambda i: app.number_input(key="inside_test_index").set_value(20 + i).run(),
    )
    app.session_state["inside_section"] = "3 · Tensor shapes"
    app.run()
    case(
        "convnet tensors, another test image",
        lambda i: app.number_input(key="inside_test_index").set_value(40 + i).run(),
    )
    app.session_state["inside_section"] = "2 · Layer by layer"
    app.run()
    case("convnet layer maps, rerun", lambda i: app.run())
    app.selectbox(key="model").set_value("default").run()
    case(
        "first network layer maps, another epoch",
        lambda i: app.slider(key="inside_epoch").set_value(i % 6).run(),
    )
    print("tensorflow in this (server) process:", "tensorflow" in sys.modules or "keras" in sys.modules)


if __name__ == "__main__":
    main()
