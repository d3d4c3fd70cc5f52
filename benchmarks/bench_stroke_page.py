"""A drawn stroke on the Predictions page, timed as the server runs it: the page's script per stroke.

    .venv/bin/python benchmarks/bench_stroke_page.py [--strokes 30] [--executor process]

The page runs in Streamlit's ``AppTest`` (the same script runner as a server), started from
``app.py``. Each stroke sets the canvas's value as the browser does on mouse up (a different
drawing each time, so no cached answer) and reruns the page; the time is the whole script run,
prediction, nearest training images and charts included (a browser reruns only the canvas's
fragment, so this is an upper bound of the server's work per stroke). The first stroke is
reported apart: it may start the worker and load the model. The canvas's section alone (the
fragment a browser's stroke reruns: preprocessing, the model's answer, the nearest training
images and their charts) is timed too, by wrapping it, and so is the answer alone: the call to a
worker (``on_model``), or to Keras in this process for a page from before the workers. It also prints whether TensorFlow
ended up in this (the server's) process, and the load average.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
STROKE_JSON = {
    "version": "6.0.0",
    "objects": [
        {"type": "Path", "stroke": "#FFFFFF", "strokeWidth": 16, "path": [["M", 60, 50], ["L", 180, 50]]}
    ],
    "background": "#000000",
}


def data_urls(count: int) -> list[str]:
    """``count`` test digits as the canvas sends them: white on black RGBA PNGs, 240 px square."""
    import numpy as np
    from PIL import Image

    from mnist_core.data.mnist import load_mnist

    _, (x_test, _) = load_mnist()
    urls = []
    for image in x_test[:count]:
        gray = np.asarray(Image.fromarray(image).resize((240, 240), Image.Resampling.BILINEAR))
        rgba = np.dstack([gray, gray, gray, np.full_like(gray, 255)])
        buffer = io.BytesIO()
        Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
        urls.append("data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode())
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=30)
    parser.add_argument("--executor", default="process", choices=["process", "thread"])
    arguments = parser.parse_args()
    os.environ["MNIST_EXECUTOR"] = arguments.executor
    from streamlit.testing.v1 import AppTest

    import app_pages.predictions_ui.your_digit

    section_seconds = []
    section = app_pages.predictions_ui.your_digit.your_digit_section

    def timed_section(choice):
        started = time.perf_counter()
        section(choice)
        section_seconds.append(time.perf_counter() - started)

    app_pages.predictions_ui.your_digit.your_digit_section = (
        timed_section  # the page imports it by name on each run
    )
    answer_seconds = []
    asking = (
        "on_model" if hasattr(app_pages.predictions_ui.your_digit, "on_model") else "predict_probabilities"
    )
    ask = getattr(app_pages.predictions_ui.your_digit, asking)

    def timed_answer(*args, **kwargs):
        started = time.perf_counter()
        answer = ask(*args, **kwargs)
        answer_seconds.append(time.perf_counter() - started)
        return answer

    setattr(app_pages.predictions_ui.your_digit, asking, timed_answer)
    urls = data_urls(arguments.strokes + 1)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
    app.switch_page("app_pages/predictions.py").run()
    assert not app.exception, [e.value for e in app.exception]
    seconds = []
    section_seconds.clear()
    answer_seconds.clear()
    for url in urls:
        app.session_state["predictions_canvas_0"] = {
            "drawing": {"raw": STROKE_JSON, "data": url},
            "backgroundFit": None,
        }
        started = time.perf_counter()
        app.run()
        seconds.append(time.perf_counter() - started)
        assert not app.exception, [e.value for e in app.exception]
        assert any(s.value.startswith("The model says") for s in app.subheader)
    later = [s * 1000 for s in seconds[1:]]
    print(f"first stroke: {seconds[0] * 1000:.0f} ms")
    print(
        f"later strokes ({len(later)}): median {statistics.median(later):.0f} ms, "
        f"min {min(later):.0f} ms, max {max(later):.0f} ms"
    )
    sections = [s * 1000 for s in section_seconds[1:]]
    print(
        f"the canvas's section alone ({len(sections)}): median {statistics.median(sections):.0f} ms, "
        f"min {min(sections):.0f} ms, max {max(sections):.0f} ms"
    )
    answers = [s * 1000 for s in answer_seconds[1:]]
    print(
        f"the answer alone, {asking} ({len(answers)}): median {statistics.median(answers):.1f} ms, "
        f"min {min(answers):.1f} ms, max {max(answers):.1f} ms"
    )
    print("tensorflow in the server process:", "tensorflow" in sys.modules or "keras" in sys.modules)
    print("load average:", " ".join(f"{v:.2f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
