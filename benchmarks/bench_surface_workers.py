"""What a student waits for on One step by numbers and the Loss surface, with the app's real executor.

Each repeat runs in a fresh interpreter (a new server: nothing imported, no worker started), through
``streamlit.testing.v1.AppTest`` from ``app.py`` with ``MNIST_EXECUTOR=process``, and reports:

- One step's first visit: the page's script run on a cold server, until its numbers are on it;
- One step, another weight: a rerun that needs a new step (a warm worker, or a warm Keras);
- the shipped model's landscape (21 x 21 points): from the Compute click to the finished task, and
  the time the computation itself took (``Landscape.seconds``); then a second one (another span);
- whether TensorFlow was in the server's modules at the end.

Run from the repository root:  python benchmarks/bench_surface_workers.py [--repeats 3]
Prints medians (and every repeat). The numbers are the script thread's, not a browser's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ONE_REPEAT = """
import json, sys, time
from streamlit.testing.v1 import AppTest
app = AppTest.from_file(sys.argv[1], default_timeout=300).run()
started = time.perf_counter()
app.switch_page("app_pages/one_step.py").run()
first_visit = time.perf_counter() - started
assert not app.exception, [e.value for e in app.exception]
assert any("GradientTape" in m.value for m in app.markdown)
started = time.perf_counter()
app.number_input(key="step_unit").set_value(7).run()
another_weight = time.perf_counter() - started
assert any("kernel[350, 7]" in m.value for m in app.markdown)
app.switch_page("app_pages/loss_surface.py").run()
app.session_state["surface_part"] = "3 · Your network's landscape"
app.run()
started = time.perf_counter()
app.button(key="surface_compute").click().run()
task = app.session_state["surface_landscape_task"]
while not task.snapshot().is_over:
    time.sleep(0.05)
landscape = time.perf_counter() - started
snapshot = task.snapshot()
assert snapshot.result is not None, snapshot.message
app.run()
assert any("The road your run took" in m.value for m in app.markdown)
app.select_slider(key="surface_landscape_span").set_value(0.5).run()  # another landscape, warm workers
started = time.perf_counter()
app.button(key="surface_compute").click().run()
task = app.session_state["surface_landscape_task"]
while not task.snapshot().is_over:
    time.sleep(0.05)
landscape_again = time.perf_counter() - started
print(json.dumps({
    "one_step_first_visit": first_visit,
    "one_step_another_weight": another_weight,
    "landscape_click_to_finished": landscape,
    "landscape_compute_seconds": snapshot.result.seconds,
    "second_landscape_click_to_finished": landscape_again,
    "second_landscape_compute_seconds": task.snapshot().result.seconds,
    "tensorflow_in_server": "tensorflow" in sys.modules or "keras" in sys.modules,
}))
"""


def one_repeat() -> dict:
    output = subprocess.run(
        [sys.executable, "-c", ONE_REPEAT, str(ROOT / "app.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "MNIST_EXECUTOR": "process"},
        timeout=900,
    )
    if output.returncode:
        raise RuntimeError(output.stderr[-3000:])
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    print("load average before:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    repeats = [one_repeat() for _ in range(arguments.repeats)]
    for name in repeats[0]:
        values = [r[name] for r in repeats]
        if isinstance(values[0], bool):
            print(f"{name}: {values}")
        else:
            shown = ", ".join(f"{v:.2f}" for v in values)
            print(f"{name}: median {statistics.median(values):.2f} s  ({shown})")
    print("load average after:", " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
