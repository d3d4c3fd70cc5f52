"""Memory of the server's computed results after one student's journey: the result store's bytes by kind,
beside what Streamlit's own caches hold (results and resources apart), and the process's RSS.

    MNIST_EXECUTOR=thread .venv/bin/python benchmarks/bench_result_store.py

The journey runs every page's AppTest from app.py in this process (Keras in threads, as the AppTests
do): Predictions and Inside the network (its three tabs) with both shipped models, What it learned's
four tabs, the Data page, Dimensions' PCA and walk tabs, One step by numbers. Run on a checkout from
before the result store (with this tree's ``mnist_core/jobs/result_store.py``, for its size function),
it sizes the old caches the same way. Streamlit's cache internals are read here only (a benchmark).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("MNIST_EXECUTOR", "thread")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from mnist_core.jobs.result_store import size_in_bytes  # noqa: E402

# st.cache_resource functions that hold resources (data loaded once, pools, folders, registries, locks,
# the store itself), not computed results.
RESOURCES = {
    "_mnist", "training_slots", "background_slots", "long_executor", "quick_executor", "model_spool",
    "_export_folder", "classroom", "speed_calibration", "_timing_started", "step_pages", "folder_paths",
    "_data_fingerprint", "_training_neighbours", "server_results", "run_store", "_initial_diagram_jobs",
    "shipped_network_answerer", "shipped_history", "_shipped_history",
}  # fmt: skip


def journey() -> None:
    def page(path: str, tabs: tuple[str, str, ...] | None = None, model: str | None = None) -> None:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        app.run()
        app.switch_page(path)
        if model:
            app.session_state["model"] = model
        app.run()
        if tabs:
            key, *labels = tabs
            for label in labels:
                app.session_state[key] = label
                app.run()
        assert not app.exception, [e.value for e in app.exception]

    inside = ("inside_section", "1 · Follow one digit", "2 · Layer by layer", "3 · Tensor shapes")
    learned = (
        "learned_section",
        "1 · Where it looks",
        "2 · When it fails",
        "3 · An adversarial nudge",
        "4 · Switch neurons off",
    )
    for model in ("default", "default-convnet"):
        page("app_pages/predictions.py", model=model)
        page("app_pages/inside_the_network.py", inside, model=model)
    page("app_pages/what_it_learned.py", learned)
    page("app_pages/data.py")
    page(
        "app_pages/dimensions.py",
        ("dimensions_section", "3 · Flatten to 2-D or 3-D", "4 · Walk between digits"),
    )
    page("app_pages/one_step.py")


def streamlit_caches() -> dict[str, int]:
    """Bytes per st.cache_resource / st.cache_data function, sized like the store sizes its results."""
    from streamlit.runtime.caching.cache_data_api import _data_caches
    from streamlit.runtime.caching.cache_resource_api import _resource_caches

    sizes: dict[str, int] = {}
    for caches in list(_resource_caches._function_caches.values()):
        for cache in list(caches.values()):
            name = cache.display_name.rsplit(".", 1)[-1]
            values = [entry.value for entry in list(cache._mem_cache.values())]
            sizes[f"resource:{name}"] = sizes.get(f"resource:{name}", 0) + size_in_bytes(values)
    for caches in list(_data_caches._function_caches.values()):
        for cache in list(caches.values()):
            name = cache.display_name.rsplit(".", 1)[-1]
            storage = getattr(cache.storage, "_mem_cache", None) or getattr(
                getattr(cache.storage, "_persist_storage", None), "_mem_cache", {}
            )
            sizes[f"data:{name}"] = sizes.get(f"data:{name}", 0) + sum(len(v) for v in storage.values())
    return sizes


def lru_descriptions() -> int:
    """The old ``functools.lru_cache`` of model descriptions (before the store), sized by its entries."""
    from mnist_core.jobs.model_jobs import ModelRef
    from ui import worker_jobs

    cached = getattr(worker_jobs, "_description", None)
    if cached is None:
        return 0
    return sum(size_in_bytes(cached(ModelRef.of_shipped(key))) for key in ("default", "default-convnet"))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    started = time.perf_counter()
    journey()
    seconds = time.perf_counter() - started
    mb = 2**-20
    caches = streamlit_caches()
    results = {name: size for name, size in caches.items() if name.split(":", 1)[1] not in RESOURCES}
    resources = {name: size for name, size in caches.items() if name.split(":", 1)[1] in RESOURCES}
    print(f"journey: {seconds:.0f} s, process RSS {rss_mb():.0f} MB, load {os.getloadavg()[0]:.1f}")
    try:
        from ui.results import server_results
    except ImportError:
        store = None
    else:
        store = server_results()
    if store is not None:
        stats = store.stats()
        print(
            f"result store: {stats.entries} results, {stats.bytes_used * mb:.1f} MB of "
            f"{stats.budget_bytes * mb:.0f} MB, {stats.hits} hits, {stats.misses} misses, {stats.evictions} evictions"
        )
        for kind, size in store.bytes_by_kind().items():
            print(f"  {kind:40s} {size * mb:8.2f} MB")
    lru = lru_descriptions()
    if lru:
        results["lru:_description"] = lru
    print(f"results in other caches: {sum(results.values()) * mb:.1f} MB")
    for name, size in sorted(results.items(), key=lambda item: -item[1]):
        print(f"  {name:40s} {size * mb:8.2f} MB")
    print(f"resources (st.cache_resource, kept as they are): {sum(resources.values()) * mb:.1f} MB")
    for name, size in sorted(resources.items(), key=lambda item: -item[1]):
        print(f"  {name:40s} {size * mb:8.2f} MB")


if __name__ == "__main__":
    main()
