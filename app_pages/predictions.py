"""Predictions (life-cycle steps 5 and 6): score the model on unseen digits, then ask it about new ones."""

import numpy as np
import streamlit as st

from app_pages.predictions_ui.your_digit import your_digit_section
from mnist_core.engine.models import expects_raw_pixels
from mnist_core.figures.prediction_figures import (
    confusion_figure,
    digit_figure,
    image_grid_figure,
    probabilities_figure,
)
from mnist_core.i18n import integer, ntr, number, tr
from mnist_core.inspect.evaluation import predict_probabilities, sample
from mnist_core.teaching.lesson_bugs import OVERWRITE_BUG_CODE, one_hot_overwrite
from ui.charts import chart, show_chart
from ui.links import link_to_this_view
from ui.model_choice import model_picker, per_model, test_evaluation
from ui.resources import mnist
from ui.worker_jobs import WorkerJobFailed, on_model, show_failure

title_column, picker_column = st.columns([1.4, 1])
with title_column:
    st.title(tr("Predictions"))
    link_to_this_view("predictions")
    st.caption(
        tr("Life-cycle steps 5 and 6: evaluate the model on digits it never saw, then generate predictions.")
    )
with picker_column:
    choice = model_picker()
(x_train, y_train), (x_test, y_test) = mnist()

# First on the page, so a lecturer draws and the class sees the answer on the same screen.
your_digit_section(choice)

try:
    evaluation = test_evaluation(choice.ref)
except WorkerJobFailed as failure:
    show_failure(failure)
    st.stop()

test_count = integer(len(x_test))
st.header(tr("5 · Evaluate on the {count} test images").format(count=test_count))
accuracy_column, loss_column, count_column = st.columns(3)
accuracy_column.metric(tr("Test accuracy"), number(evaluation.accuracy, 4))
loss_column.metric(tr("Test loss (cross-entropy)"), number(evaluation.loss, 4))
count_column.metric(tr("Correctly classified"), integer(evaluation.correct))
st.markdown(
    tr(
        "**{correct} correctly classified, {incorrect} incorrectly.** "
        "These images were written by people whose handwriting the model never trained on."
    ).format(correct=integer(evaluation.correct), incorrect=integer(evaluation.incorrect))
)

with st.expander(tr("Lesson 5's bug: one-hot labels overwrite the integer labels")):
    st.code(OVERWRITE_BUG_CODE, language="python")
    if st.button(tr("Run the buggy count"), key="predictions_run_bug"):
        bug = one_hot_overwrite(evaluation.predicted, evaluation.labels)
        st.markdown(
            tr(
                "`predicted` has shape {predicted_shape}, `y_test` now has shape {labels_shape}: "
                "class numbers are compared with rows of ten 0s and 1s."
            ).format(predicted_shape=bug.predicted_shape, labels_shape=bug.labels_shape)
        )
        if bug.error_type:
            st.error(
                tr("Today's NumPy refuses: {error}").format(error=f"{bug.error_type}: {bug.message}"),
                icon=":material/error:",
            )
        st.warning(
            tr(
                "Older NumPy (before 1.25) gave up on the comparison and returned a single False for `==` and "
                "a single True for `!=`, so the lesson's code printed **{correct} correctly classified, "
                "{incorrect} incorrectly**: an absurd count for {count} images."
            ).format(correct=bug.legacy_correct, incorrect=bug.legacy_incorrect, count=test_count),
            icon=":material/bug_report:",
        )
        st.success(
            tr(
                "The fix: keep the integer labels in their own variable (`y_test_labels`) and one-hot "
                "encode into another. Then: **{correct} correctly classified, {incorrect} incorrectly**."
            ).format(correct=integer(bug.correct), incorrect=integer(bug.incorrect)),
            icon=":material/check_circle:",
        )

st.subheader(tr("Nine right, nine wrong"))
MAX_DRAW = 10_000  # draw numbers wrap around after this one


def new_draw() -> None:
    st.session_state["predictions_draw_seed"] = (st.session_state["predictions_draw_seed"] + 1) % (
        MAX_DRAW + 1
    )


draw_columns = st.columns([1, 1, 3], vertical_alignment="bottom")
draw_columns[0].button(
    tr("New draw"), icon=":material/casino:", key="predictions_new_draw", on_click=new_draw
)
# The draw is a number, so a link can show the same eighteen images.
seed = draw_columns[1].number_input(
    tr("Draw number"), 0, MAX_DRAW, 0, key="predictions_draw_seed", bind="query-params"
)
for column, correct in zip(st.columns(2), (True, False)):
    picked = sample(evaluation.indices(correct), 9, seed)
    with column:
        st.markdown(tr("**Correct**") if correct else tr("**Incorrect**"))
        if len(picked) == 0:
            st.info(tr("None at all."))
            continue
        caption = tr("pred {predicted} · true {true}")
        titles = [caption.format(predicted=evaluation.predicted[i], true=y_test[i]) for i in picked]
        show_chart(
            chart(image_grid_figure, x_test[picked], titles, columns=3), key=f"predictions_grid_{correct}"
        )

st.subheader(tr("The confusion matrix"))
st.caption(tr("Rows: the true digit. Columns: what the model said. The diagonal is every correct answer."))
matrix_column, cell_column = st.columns([3, 2])
most_confused = evaluation.most_confused()
with cell_column:
    true_digit = st.selectbox(
        tr("True digit"), range(10), index=most_confused[0], key="predictions_cell_true", bind="query-params"
    )
    predicted_digit = st.selectbox(
        tr("Predicted digit"),
        range(10),
        index=most_confused[1],
        key="predictions_cell_predicted",
        bind="query-params",
    )
    behind = evaluation.cell(true_digit, predicted_digit)
    st.markdown(
        ntr(
            "**{count} test image** of a {true} was predicted as {predicted}.",
            "**{count} test images** of a {true} were predicted as {predicted}.",
            len(behind),
        ).format(count=integer(len(behind)), true=true_digit, predicted=predicted_digit)
    )
    if len(behind):
        shown = behind[:12]
        show_chart(
            chart(image_grid_figure, x_test[shown], [f"#{i}" for i in shown], columns=4, tile_px=70),
            key="predictions_cell_images",
        )
        if len(behind) > len(shown):
            st.caption(
                tr("The first {shown} of {count}.").format(
                    shown=integer(len(shown)), count=integer(len(behind))
                )
            )
with matrix_column:
    show_chart(
        chart(confusion_figure, evaluation.confusion, (true_digit, predicted_digit)), key="predictions_cm"
    )

st.header(tr("6 · Predict one random test image"))


def another_test_image() -> None:
    st.session_state["predictions_image_index"] = int(np.random.default_rng().integers(len(x_test)))


image_pick = st.columns([1, 1, 3], vertical_alignment="bottom")
image_pick[0].button(
    tr("Another test image"),
    icon=":material/shuffle:",
    key="predictions_new_image",
    on_click=another_test_image,
)
index = image_pick[1].number_input(
    tr("Test image number"), 0, len(x_test) - 1, 0, key="predictions_image_index", bind="query-params"
)
image_column, steps_column, bars_column = st.columns([1, 1.2, 1.6])
show_chart(
    chart(
        digit_figure,
        x_test[index],
        tr("x_test[{index}], label {label}").format(index=index, label=y_test[index]),
    ),
    where=image_column,
)
try:
    # The worker runs the model; the page sends one test image and gets ten numbers back.
    probabilities = on_model(predict_probabilities, choice.ref, x_test[index : index + 1])[0]
    raw_pixels = per_model(choice.ref, "expects_raw_pixels", lambda: on_model(expects_raw_pixels, choice.ref))
except WorkerJobFailed as failure:
    show_failure(failure)
    st.stop()
with steps_column:
    shape = choice.description.input_shape
    scale = (
        tr(
            "3. Scale: divide by 255 to get 0-1 values, as in training (this model does it in its first layer)."
        )
        if raw_pixels
        else tr("3. Scale: divide by 255 to get 0-1 values, as in training.")
    )
    st.markdown(
        tr("1. The image: shape **(28, 28)**, values 0-255.")
        + "\n"
        + tr("2. Reshape to a batch of one: **{shape}**, as in training.").format(
            shape=f"(1, {', '.join(map(str, shape))})"
        )
        + "\n"
        + scale
        + "\n"
        + tr("4. `model.predict` gives ten softmax probabilities.")
        + "\n"
        + tr("5. argmax picks the largest: **{digit}**.").format(digit=probabilities.argmax())
    )
show_chart(
    chart(probabilities_figure, probabilities, int(y_test[index])),
    key="predictions_test_bars",
    where=bars_column,
)
