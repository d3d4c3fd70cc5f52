"""The Loss surface page through AppTest: the walker, the race, and a landscape of a real run."""

import pytest
from lazy_tabs import open_lazy_tab

PAGE = "app_pages/loss_surface.py"
PARTS = {
    1: "1 · One weight: slope and valleys",
    2: "2 · Two weights: optimizers race",
    3: "3 · Your network's landscape",
}


def open_part(app, part):
    return open_lazy_tab(app, "surface_part", PARTS[part])


def info_texts(app):
    return [element.value for element in app.info]


def test_walker_steps_and_reports_where_it_settles(open_page):
    app = open_page(PAGE)
    assert app.slider(key="surface_walker_start").value == pytest.approx(0.4)
    assert not any("Settled" in text for text in info_texts(app))
    for _ in range(4):
        app.button(key="surface_walker_ten").click().run()
    assert app.slider(key="surface_walker_steps").value == 40
    assert any("Settled in valley A" in text for text in info_texts(app))
    app.button(key="surface_walker_start_2").click().run()
    assert app.slider(key="surface_walker_steps").value == 0  # a new start resets the steps
    app.slider(key="surface_walker_steps").set_value(60).run()
    assert any("Settled in valley B" in text for text in info_texts(app))
    app.select_slider(key="surface_walker_learning_rate").set_value(3.0).run()
    assert any("Diverged" in text for text in info_texts(app))
    assert not app.exception


def test_one_step_moves_the_walker_by_learning_rate_times_slope(open_page):
    app = open_page(PAGE)
    app.button(key="surface_walker_one").click().run()
    explanation = next(m.value for m in app.markdown if m.value.startswith("At **x = "))
    assert "x = 0.46" in explanation  # 0.4 - 0.1 x (-0.583)


def race_chart(app):
    return next(chart for chart in app.get("plotly_chart") if "surface_contour" in chart.proto.id)


def test_race_paths_change_with_the_learning_rate_and_the_surface(open_page):
    app = open_part(open_page(PAGE), 2)
    before = race_chart(app).proto.spec
    app.select_slider(key="surface_lr_sgd").set_value(0.1).run()
    assert race_chart(app).proto.spec != before
    table = app.dataframe[0].value
    assert list(table["optimizer"]) == ["SGD", "SGD + momentum", "RMSProp", "Adam"]
    app.selectbox(key="surface_name").set_value("himmelblau").run()
    assert app.slider(key="surface_start_x").value == 0.0  # the new surface's own start
    assert app.select_slider(key="surface_lr_adam").value == 0.1
    app.checkbox(key="surface_show_rmsprop").uncheck().run()
    assert "RMSProp" not in list(app.dataframe[0].value["optimizer"])
    app.select_slider(key="surface_lr_sgd").set_value(1.0).run()
    assert "diverged at step" in str(list(app.dataframe[0].value["loss − lowest"]))
    assert not app.exception


def test_part_3_starts_on_the_shipped_model_and_offers_a_quick_model(open_page):
    app = open_part(open_page(PAGE), 3)
    assert app.selectbox(key="surface_run").value.startswith("Default: first network")
    assert app.button(key="surface_compute")
    assert app.button(key="surface_train_quick")


def test_landscape_of_a_finished_run_is_computed_in_the_background_and_drawn(open_page):
    pytest.importorskip("keras")
    from mnist_core.engine.spec import ModelSpec, TrainConfig
    from mnist_core.engine.training import train
    from mnist_core.jobs.tasks import TaskState
    from ui.training_runs import FinishedRun

    result = train(ModelSpec(hidden_units=(8,)), TrainConfig(epochs=2, train_limit=2000, validation_size=400))
    app = open_part(open_page(PAGE, {"train_runs": [FinishedRun(1, result, {}, TaskState.FINISHED)]}), 3)
    assert app.selectbox(key="surface_run").value.startswith("Run 1")
    app.select_slider(key="surface_landscape_resolution").set_value(11).run()
    app.button(key="surface_compute").click().run()
    snapshot = app.session_state["surface_landscape_task"].join(240)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    app.run()
    chart_ids = [chart.proto.id for chart in app.get("plotly_chart")]
    assert any("surface_line" in i for i in chart_ids) and any(
        "surface_landscape_contour" in i for i in chart_ids
    )
    assert any("The road your run took" in m.value for m in app.markdown)
    app.radio(key="surface_landscape_plane").set_value("Two random directions").run()
    assert any("filter-normalized" in m.value for m in app.markdown)
    assert not app.exception


def test_the_shipped_model_gets_its_landscape_with_its_real_training_path(open_page):
    pytest.importorskip("keras")
    from mnist_core.jobs.tasks import TaskState

    app = open_part(open_page(PAGE), 3)
    app.select_slider(key="surface_landscape_resolution").set_value(11).run()
    app.button(key="surface_compute").click().run()
    snapshot = app.session_state["surface_landscape_task"].join(240)
    assert snapshot.state == TaskState.FINISHED, snapshot.message
    app.run()
    assert any("The road your run took" in m.value for m in app.markdown)
    landscape = snapshot.result
    assert len(landscape.path) == 6  # before training and after each of its 5 epochs
    trained = landscape.interpolation_train[list(landscape.alphas).index(1.0)]
    initial = landscape.interpolation_train[list(landscape.alphas).index(0.0)]
    assert trained < 0.3 < 2.0 < initial  # trained well; started near chance (ln 10 = 2.3)
    assert not app.exception


def test_a_run_that_finishes_is_selected_for_its_landscape(open_page):
    pytest.importorskip("keras")
    from mnist_core.engine.spec import ModelSpec, TrainConfig
    from mnist_core.engine.training import train
    from mnist_core.jobs.tasks import TaskState
    from ui.training_runs import FinishedRun

    app = open_part(open_page(PAGE), 3)
    assert app.selectbox(key="surface_run").value.startswith("Default")
    result = train(ModelSpec(hidden_units=(8,)), TrainConfig(epochs=2, train_limit=2000, validation_size=400))
    app.session_state["train_runs"] = [FinishedRun(1, result, {}, TaskState.FINISHED)]
    app.run()
    assert app.selectbox(key="surface_run").value.startswith("Run 1")


def test_only_the_open_part_runs_and_closed_parts_keep_their_settings(open_page):
    app = open_page(PAGE)
    assert [tab.label for tab in app.tabs] == list(PARTS.values())
    charts = {chart.proto.id.rsplit("-", 1)[-1] for chart in app.get("plotly_chart")}
    assert charts == {"surface_walker_chart"}  # the race's 3-D surface is not built while Part 1 is open
    app.button(key="surface_walker_ten").click().run()
    open_part(app, 2)
    app.select_slider(key="surface_lr_sgd").set_value(0.1).run()
    open_part(app, 1)
    assert app.slider(key="surface_walker_steps").value == 10
    open_part(app, 2)
    assert app.select_slider(key="surface_lr_sgd").value == 0.1


def test_a_convnet_run_is_announced_as_slow_with_its_estimate_before_compute(open_page):
    pytest.importorskip("keras")
    from app_pages.loss_surface_ui.landscape_views import SLOW_LANDSCAPE_SECONDS
    from mnist_core.engine.spec import PRESETS, TrainConfig
    from mnist_core.engine.training import train
    from mnist_core.jobs.tasks import TaskState
    from mnist_core.landscape.loss_landscape import LandscapeSettings, estimate_landscape_seconds
    from ui.training_runs import FinishedRun

    convnet = PRESETS["convnet"].model
    result = train(convnet, TrainConfig(epochs=1, train_limit=600, validation_size=200))
    app = open_part(open_page(PAGE, {"train_runs": [FinishedRun(1, result, {}, TaskState.FINISHED)]}), 3)
    assert app.selectbox(key="surface_run").value.startswith("Run 1: convnet")
    estimate = estimate_landscape_seconds(convnet, LandscapeSettings(resolution=21))
    first = estimate_landscape_seconds(PRESETS["first-network"].model, LandscapeSettings(resolution=21))
    assert estimate > SLOW_LANDSCAPE_SECONDS > first  # the convnet is slow, the first network is not

    def estimate_caption():
        return next(c.value for c in app.caption if "loss evaluations: about" in c.value)

    assert f"about {estimate:,.0f} s on a quiet server" in estimate_caption()
    [warning] = [w.value for w in app.warning]
    assert f"takes about {estimate:,.0f} s here, the first network's about {first:,.0f} s" in warning
    assert "a convolution costs far more per image" in warning and "11 instead of 21" in warning
    assert app.button(key="surface_compute")
    assert "surface_landscape_task" not in app.session_state  # nothing starts until Compute

    app.select_slider(key="surface_landscape_resolution").set_value(11).run()
    fewer = estimate_landscape_seconds(convnet, LandscapeSettings(resolution=11))
    assert fewer < estimate / 2.5 and f"about {fewer:,.0f} s" in estimate_caption()

    # At 21 points: another test may have left the shipped model's landscape at 11 in the server's cache.
    app.select_slider(key="surface_landscape_resolution").set_value(21).run()
    app.selectbox(key="surface_run").set_value(app.selectbox(key="surface_run").options[-1]).run()
    assert app.selectbox(key="surface_run").value.startswith("Default: first network")
    assert not app.warning  # the first network's landscape takes a few seconds: no warning
    assert f"about {first:,.0f} s" in estimate_caption()
    assert not app.exception
