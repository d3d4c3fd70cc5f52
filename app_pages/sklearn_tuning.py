"""scikit-learn & tuning (lesson 7, life-cycle steps 2-5): MLPClassifier, two shapes, an honest grid."""

import streamlit as st

from app_pages.sklearn_tuning_ui import sklearn_views as views
from mnist_core.i18n import N_, integer, ntr, tr
from mnist_core.scikit.sklearn_models import describe_sizes, parse_learning_rates, parse_size_list
from mnist_core.scikit.tuning import DEFAULT_GRID_SAMPLES, LESSON_GRID_SIZES, LESSON_LEARNING_RATES, GridSpec
from ui.links import SKLEARN_TABS, link_to_this_view
from ui.resources import background_slots, training_slots
from ui.worker_jobs import long_executor

GRID_TRAIN_SIZES = [2_000, 5_000, 10_000, 20_000, 60_000]
FIX_FIRST = N_("Fix the MLPClassifier settings above first.")

st.title(tr("The same network in scikit-learn, and tuning it honestly"))
link_to_this_view("sklearn_tuning")
st.caption(
    tr(
        "Life-cycle steps 2 to 5 (define, compile, fit, evaluate) in a few lines of scikit-learn instead of "
        "Keras. Its MLPClassifier is a dense network: 784 inputs, your hidden ReLU layers, 10 outputs, trained "
        "with Adam on mini-batches of 200, inputs scaled to 0-1."
    )
)

st.subheader(tr("Your MLPClassifier"))
settings = views.mlp_settings_form()
# Every run here is a worker's job. A fresh server's workers import Keras before their first job (15-40 s
# on two busy cores): start them while the student reads, so the first Train does not wait for that.
long_executor()
if settings is not None:
    st.code(f"model = {settings.code()}\nmodel.fit(x_train, y_train)", language="python")

train_tab, shapes_tab, grid_tab, keras_tab = st.tabs(
    [tr(label) for label in SKLEARN_TABS],  # the English labels are ui.links' (the link holds the label)
    key="sklearn_tab",
    bind="query-params",
)

with train_tab:
    st.caption(
        tr("The loss is printed after each iteration, one pass over the training images: watch it fall.")
    )
    if settings is None:
        st.info(tr(FIX_FIRST))
    else:
        views.run_section(
            {
                "label": tr("Train"),
                "type": "primary",
                "key": "sklearn_train",
                "icon": ":material/play_arrow:",
            },
            "sklearn_train_task",
            ("mlp", settings),
            views.train_work(settings),
            training_slots(),
            views.draw_training_live,
            views.draw_training_result,
            tr("Press Train: the loss curve draws itself live, then training and test accuracy appear."),
        )

with shapes_tab:
    st.caption(
        tr(
            "Both have 50 hidden neurons: one layer of 50, or five layers of 10. Count their weights first, "
            "then train both with the settings above."
        )
    )
    st.dataframe(views.parameter_table(), hide_index=True, width="stretch")
    if settings is None:
        st.info(tr(FIX_FIRST))
    else:
        views.run_section(
            {"label": tr("Train both"), "key": "sklearn_train_shapes", "icon": ":material/compare_arrows:"},
            "sklearn_shapes_task",
            ("shapes", settings),
            views.shapes_work(settings),
            training_slots(),
            views.draw_shapes_live,
            views.draw_shapes_result,
            tr("Press Train both to see their loss curves and accuracies side by side."),
        )

with grid_tab:
    st.caption(
        tr(
            "Try every learning rate with every architecture and keep the best. Best by what? A validation "
            "share of the training images chooses; the test set only grades the winner, once, at the very end. "
            "The grid has its own settings, below."
        )
    )
    rates_column, sizes_column = st.columns(2)
    rates_text = rates_column.text_input(
        tr("Learning rates"),
        ", ".join(f"{rate:g}" for rate in LESSON_LEARNING_RATES),
        key="sklearn_grid_rates",
        bind="query-params",
    )
    sizes_text = sizes_column.text_input(
        tr("Architectures"),
        ", ".join(describe_sizes(sizes) for sizes in LESSON_GRID_SIZES),
        key="sklearn_grid_sizes",
        bind="query-params",
    )
    samples_column, share_column, iter_column, seed_column = st.columns(4)
    grid_samples = samples_column.selectbox(
        tr("Training images (validation included)"),
        GRID_TRAIN_SIZES,
        index=GRID_TRAIN_SIZES.index(DEFAULT_GRID_SAMPLES),
        format_func=views.image_count_label,
        key="sklearn_grid_samples",
        bind="query-params",
        help=tr("10,000 finishes in one to three minutes here; all 60,000 takes several times longer."),
    )
    share = share_column.slider(
        tr("Validation share"), 0.1, 0.3, 0.2, 0.05, key="sklearn_grid_share", bind="query-params"
    )
    grid_iter = iter_column.number_input(
        "max_iter", 1, 50, 10, key="sklearn_grid_max_iter", bind="query-params"
    )
    grid_seed = seed_column.number_input(
        tr("Seed"), 0, 2**31 - 1, 1, key="sklearn_grid_seed", bind="query-params"
    )
    wrong_way = st.toggle(
        tr("The wrong way: pick the winner by its test accuracy"),
        key="sklearn_grid_wrong_way",
        bind="query-params",
        help=tr("Every model is scored on the test set and the best test score wins, and gets reported."),
    )
    try:
        spec = GridSpec(
            parse_learning_rates(rates_text),
            parse_size_list(sizes_text),
            int(grid_iter),
            grid_samples,
            float(share),
            int(grid_seed),
            "test" if wrong_way else "validation",
        )
    except ValueError as error:
        st.error(tr("Can't run that grid: {error}.").format(error=error), icon=":material/tune:")
    else:
        st.caption(
            ntr(
                "{count} network, trained on {fit} images and scored on {held_out} held-out ones.",
                "{count} networks, each trained on {fit} images and scored on {held_out} held-out ones.",
                len(spec.candidates),
            ).format(
                count=integer(len(spec.candidates)),
                fit=integer(spec.fit_size),
                held_out=integer(spec.validation_size),
            )
        )
        views.run_section(
            {
                "label": tr("Run grid search"),
                "type": "primary",
                "key": "sklearn_grid_run",
                "icon": ":material/grid_on:",
            },
            "sklearn_grid_task",
            ("grid", spec),
            views.grid_work(spec),
            background_slots(),
            views.draw_grid_live(spec),
            views.draw_grid_result,
            tr("Press Run grid search: the heatmap fills in cell by cell."),
        )

with keras_tab:
    if settings is None:
        st.info(tr(FIX_FIRST))
    else:
        st.caption(
            tr(
                "The network above, {sizes}, trained twice on the same {count} images: Adam at learning rate "
                "{learning_rate}, batches of 200, {passes} passes. One after the other, so they don't share the "
                "CPU. Keras's time includes checking the test images after each pass; neither includes loading "
                "the library."
            ).format(
                sizes=describe_sizes(settings.hidden_layer_sizes),
                count=integer(settings.train_samples),
                learning_rate=views.rate_label(settings.learning_rate_init),
                passes=integer(settings.max_iter),
            )
        )
        views.run_section(
            {"label": tr("Train with both"), "key": "sklearn_keras_run", "icon": ":material/balance:"},
            "sklearn_keras_task",
            ("keras", settings),
            views.keras_work(settings),
            training_slots(),
            views.draw_keras_live,
            views.draw_keras_result,
            tr("Press Train with both to time them side by side."),
        )
