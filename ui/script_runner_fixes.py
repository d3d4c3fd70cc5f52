"""Stop Streamlit from resetting Keras after every script run, when Keras runs in the server's process.

Only with ``MNIST_EXECUTOR=thread`` (the AppTests, a developer's choice): by default the Keras work
runs in worker processes and the server never imports Keras, so Streamlit's clean-up has nothing to
reset and ``app.py`` leaves the script runner alone.

After each run of a page, and each rerun of a fragment, Streamlit 1.67's script runner
calls ``keras.backend.clear_session()`` (``_clean_problem_modules`` in
``streamlit/runtime/scriptrunner/script_runner.py``). That call:

- replaces Keras's global state for every thread, including a training thread in the
  middle of building its graph, which then fails in odd ways (we once saw ``evaluate``
  return the wrong number of values);
- resets TensorFlow's default graph and kernel cache under that thread's feet;
- runs a full ``gc.collect()``, about 0.2 s with TensorFlow loaded, holding the GIL.

A page polls its background task twice a second, and the sidebar once a second, so the
clean-ups alone kept one core busy and a 6 s training took minutes. This app keeps its
models in session state and caches on purpose, so there is nothing for the clean-up to do.
Streamlit's matching per-run ``gc.collect(2)`` is switched off in .streamlit/config.toml
(``runner.postScriptGC``).
"""

from __future__ import annotations

import sys

from streamlit.runtime.scriptrunner import script_runner


def close_pyplot_figures_only() -> None:
    """What Streamlit's clean-up does, minus the Keras reset: close any pyplot figures."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def keep_keras_state_between_runs() -> None:
    """Replace the script runner's per-run clean-up (idempotent; call at the top of app.py)."""
    if not hasattr(script_runner, "_clean_problem_modules"):
        raise RuntimeError(
            "streamlit's script runner no longer has _clean_problem_modules: check whether it still "
            "clears the Keras session after every run, then update ui/script_runner_fixes.py."
        )
    script_runner._clean_problem_modules = close_pyplot_figures_only
