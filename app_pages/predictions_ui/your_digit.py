"""Your own digit on the Predictions page: draw or upload it, then see it prepared and answered side by side.

The drawing outlives a trip to another page: its canvas JSON comes back as the canvas's
``initial_drawing``, and its pixels are kept too, because a restored canvas sends nothing
until the next stroke. The last upload is kept the same way (a file uploader starts empty).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages.predictions_ui.pixel_grid import HELP as GRID_HELP
from app_pages.predictions_ui.pixel_grid import pixel_grid
from app_pages.what_it_learned_ui.learned_views import look_at_digit
from mnist_core.data.preprocess import MAX_UPLOAD_BYTES, decode_image, has_ink, preprocess, skip_preprocessing
from mnist_core.figures.prediction_figures import image_grid_figure, pixelated, probabilities_figure
from mnist_core.i18n import N_, integer, number, tr
from mnist_core.inspect.evaluation import predict_probabilities
from ui.charts import chart, show_chart
from ui.model_choice import (
    YOUR_DIGIT_KEY,
    ModelChoice,
    follow_digit_inside,
    remember_digit,
    training_neighbours,
)
from ui.resources import mnist
from ui.worker_jobs import WorkerJobFailed, on_model, show_failure

CANVAS_SIDE = 240  # px: with the steps and the answer beside it, all fit a 1280 x 720 projector
DRAWING_KEY = "predictions_drawing"  # {"json": the canvas's drawing, "pixels": its RGBA image}
UPLOAD_KEY = "predictions_upload_kept"  # {"pixels": the decoded picture, "name": its file name}
_CANVAS_GENERATION = "predictions_canvas_generation"  # Clear draws a new, empty canvas under a new key
_CANVAS_START = "predictions_canvas_start"  # the drawing the canvas started from on this visit
GRID_KEY = "predictions_grid_kept"  # the keyboard grid's drawing (28 x 28), kept between visits
_GRID_GENERATION = "predictions_grid_generation"  # Clear or a test digit starts the grid anew
DRAW, DRAW_WITH_KEYS, UPLOAD = N_("Draw"), N_("Draw with keys"), N_("Upload")
# Where the digit came from, kept in English with it (``remember_digit``) and shown as tr(source).
YOUR_DRAWING, YOUR_GRID_DRAWING = N_("your drawing"), N_("your grid drawing")


def clear_drawing() -> None:
    """Forget the drawing (and the digit made from it) and start an empty canvas."""
    st.session_state.pop(DRAWING_KEY, None)
    st.session_state[_CANVAS_GENERATION] = st.session_state.get(_CANVAS_GENERATION, 0) + 1
    kept = st.session_state.get(YOUR_DIGIT_KEY)
    if kept is not None and kept["source"] == YOUR_DRAWING:
        del st.session_state[YOUR_DIGIT_KEY]


def drawn_pixels() -> np.ndarray | None:
    """The canvas, with the drawing of an earlier visit back on it; the drawing's RGBA pixels, or None."""
    # Imported here: the component registers itself with the running server, so a module-level
    # import would make this module's names unimportable outside one (tests, scripts).
    from streamlit_drawable_canvas import st_canvas

    key = f"predictions_canvas_{st.session_state.get(_CANVAS_GENERATION, 0)}"
    saved = st.session_state.get(DRAWING_KEY)
    if key not in st.session_state:
        # The first run of this visit. The start stays fixed for the visit: a changed
        # initial_drawing would make the canvas reload itself and lose its undo history.
        st.session_state[_CANVAS_START] = saved["json"] if saved else None
    # A fixed key around it for lesson steps and tests: the canvas's own key changes on each Clear.
    with st.container(key="predictions_canvas"):
        canvas = st_canvas(
            stroke_width=16,
            stroke_color="#FFFFFF",
            background_color="#000000",
            height=CANVAS_SIDE,
            width=CANVAS_SIDE,
            initial_drawing=st.session_state[_CANVAS_START],
            key=key,
            return_image_data=True,
        )
    if canvas.image_data is not None:  # the browser sent the canvas after a stroke, an undo or a reset
        if has_ink(canvas.image_data):
            saved = {"json": canvas.json_data, "pixels": canvas.image_data}
            st.session_state[DRAWING_KEY] = saved
        else:
            st.session_state.pop(DRAWING_KEY, None)
            saved = None
    return saved["pixels"] if saved else None


def _restart_grid(start: np.ndarray | None) -> None:
    st.session_state[GRID_KEY] = start
    st.session_state[_GRID_GENERATION] = st.session_state.get(_GRID_GENERATION, 0) + 1
    kept = st.session_state.get(YOUR_DIGIT_KEY)
    if kept is not None and kept["source"] == YOUR_GRID_DRAWING:
        del st.session_state[YOUR_DIGIT_KEY]


def grid_pixels() -> np.ndarray | None:
    """The keyboard grid, with Clear and a test digit to start from; its 28 x 28 drawing, or None."""
    generation = st.session_state.get(_GRID_GENERATION, 0)
    with st.container(key="predictions_grid"):
        drawn = pixel_grid("predictions_grid_component", st.session_state.get(GRID_KEY), generation)
    st.session_state[GRID_KEY] = drawn
    st.caption(tr(GRID_HELP))
    _, (x_test, _) = mnist()
    index = st.number_input(
        tr("Or start from test digit number"), 0, len(x_test) - 1, 0, key="predictions_grid_test_index"
    )
    with st.container(horizontal=True):
        st.button(
            tr("Put it on the grid"),
            key="predictions_grid_load",
            on_click=_restart_grid,
            args=(x_test[index],),
        )
        st.button(
            tr("Clear"),
            icon=":material/ink_eraser:",
            key="predictions_grid_clear",
            on_click=_restart_grid,
            args=(None,),
        )
    return drawn


def _forget_removed_upload() -> None:
    if st.session_state.get("predictions_upload") is None:  # the student removed the file
        st.session_state.pop(UPLOAD_KEY, None)


def uploaded_pixels() -> tuple[np.ndarray | None, str | None]:
    """A file uploader; the decoded picture (this one or the last one kept) and its name."""
    upload = st.file_uploader(
        tr("A PNG or JPEG of one digit (up to {size} MB)").format(size=integer(MAX_UPLOAD_BYTES // 2**20)),
        type=["png", "jpg", "jpeg"],
        key="predictions_upload",
        max_upload_size=MAX_UPLOAD_BYTES // 2**20,  # the browser refuses larger files before sending them
        on_change=_forget_removed_upload,
    )
    if upload is not None:
        try:
            st.session_state[UPLOAD_KEY] = {
                "pixels": decode_image(upload.getvalue(), upload.name),
                "name": upload.name,
            }
        except ValueError as error:
            st.error(str(error), icon=":material/image_not_supported:")
            return None, None
    kept = st.session_state.get(UPLOAD_KEY)
    if kept is None:
        return None, None
    if upload is None:  # back from another page: the uploader starts empty, the picture is kept
        st.caption(
            tr("Your picture from before: **{name}**. Upload another to replace it.").format(
                name=kept["name"]
            )
        )
        st.button(
            tr("Remove it"),
            icon=":material/close:",
            key="predictions_forget_upload",
            on_click=lambda: st.session_state.pop(UPLOAD_KEY, None),
        )
    return kept["pixels"], kept["name"]


def _steps_pictures(steps, digit, skip: bool) -> None:
    """The preprocessing steps, one per row, at their true relative sizes: the picture's, then 28 x 28's."""
    big, small = 64 / max(steps.grayscale.shape), 2.3
    if skip:
        pictures = [
            (steps.grayscale, tr("as given"), big),
            (digit, tr("squeezed to 28 x 28, as it is"), small),
        ]
    else:
        fitted = f"{steps.fitted.shape[0]} x {steps.fitted.shape[1]}"
        pictures = [
            (steps.grayscale, tr("1 · grayscale"), big),
            (
                steps.light_on_dark,
                tr("2 · inverted to light on dark") if steps.inverted else tr("2 · light on dark"),
                big,
            ),
            (steps.cropped, tr("3 · cropped to the ink"), big),
            (steps.fitted, tr("4 · fitted in 20 x 20: {size}").format(size=fitted), small),
            (steps.centered, tr("5 · centred by its centre of mass in 28 x 28"), small),
        ]
    for picture, caption, scale in pictures:
        picture_column, caption_column = st.columns([1, 2.2], vertical_alignment="center")
        picture_column.image(
            pixelated(picture),
            width=max(1, round(picture.shape[1] * scale)),
            alt=tr("Your digit, {step}: {height} x {width} pixels").format(
                step=caption, height=picture.shape[0], width=picture.shape[1]
            ),
        )
        caption_column.caption(caption)
    if not skip:
        row, col = steps.center_of_mass
        st.caption(
            tr(
                "6 · scaled to 0-1. Centre of mass ({row}, {column}); the centre is ({middle}, {middle})."
            ).format(row=number(row, 1), column=number(col, 1), middle=number(13.5, 1))
        )


def _bars_alt(probabilities: np.ndarray) -> str:
    """The answer's bars for a screen reader, in the viewer's language (";" apart: "0,01" has a comma)."""
    values = "; ".join(f"{digit}: {number(p, 2)}" for digit, p in enumerate(probabilities))
    return tr("The model's probability for each digit: {values}. Its answer: {digit}.").format(
        values=values, digit=int(probabilities.argmax())
    )


@st.fragment
def your_digit_section(choice: ModelChoice) -> None:
    """Canvas, preprocessing steps and answer side by side; a stroke reruns only this part of the page."""
    # The first column is wide enough for the three choices at 1280 px (at 1.05 "Upload" was cut).
    input_column, steps_column, answer_column = st.columns([1.2, 1.05, 1.15], gap="medium")
    with input_column:
        way = st.segmented_control(
            tr("6 · Predict your own digit"),
            [DRAW, DRAW_WITH_KEYS, UPLOAD],
            format_func=tr,
            default=DRAW,
            key="predictions_source",
            persist_state="session",
        )
        if way == UPLOAD:
            pixels, source = uploaded_pixels()
        elif way == DRAW_WITH_KEYS:
            pixels, source = grid_pixels(), YOUR_GRID_DRAWING
        else:
            pixels, source = drawn_pixels(), YOUR_DRAWING
            st.button(
                tr("Clear"), icon=":material/ink_eraser:", key="predictions_clear", on_click=clear_drawing
            )
    if pixels is None:
        with steps_column:
            st.info(
                tr(
                    "Draw one digit, large, with the mouse or a finger (or with the keys: Draw with keys), "
                    "or upload a picture of one: the steps that prepare it and the model's answer appear here."
                ),
                icon=":material/draw:",
            )
        return
    try:
        steps = preprocess(pixels)
    except ValueError as error:
        steps_column.warning(f"{tr(source)}: {error}", icon=":material/draw:")
        return
    with steps_column:
        skip = st.toggle(
            tr("Skip the preprocessing"),
            key="predictions_skip",
            persist_state="session",
            help=tr("Feed the picture as it is."),
        )
    digit = skip_preprocessing(pixels) if skip else steps.digit
    remember_digit(digit, source)
    # The answer is computed and sent first; the pictures around it follow. A worker runs the model:
    # the page sends the 28 x 28 digit and gets ten probabilities back.
    try:
        yours = on_model(predict_probabilities, choice.ref, digit[None])[0]
    except WorkerJobFailed as failure:
        with answer_column:
            show_failure(failure)
        return
    with answer_column:
        st.subheader(
            tr("The model says {digit} (probability {probability})").format(
                digit=yours.argmax(), probability=number(yours.max(), 2)
            ),
            anchor=False,
        )
        show_chart(
            chart(probabilities_figure, yours, height=230), key="predictions_your_bars", alt=_bars_alt(yours)
        )
    with input_column:
        if st.button(
            tr("Follow it through the network"), icon=":material/biotech:", key="predictions_follow"
        ):
            follow_digit_inside(digit, choice.key, source)
        if st.button(
            tr("Where does it look?"), icon=":material/psychology:", key="predictions_where_it_looks"
        ):
            look_at_digit(digit, choice.key, source)
    with steps_column:
        _steps_pictures(steps, digit, skip)
    with answer_column:
        (x_train, y_train), _ = mnist()
        nearest, distances = training_neighbours().nearest(digit, k=6)
        st.markdown(tr("**Nearest training images** (pixel by pixel)"))
        away = tr("a {digit}, {distance} away")
        titles = [away.format(digit=y_train[i], distance=number(d, 1)) for i, d in zip(nearest, distances)]
        show_chart(
            chart(image_grid_figure, x_train[nearest], titles, columns=3, tile_px=70),
            key="predictions_neighbours",
            alt=tr("The {count} training images nearest to your digit: {captions}.").format(
                count=len(titles), captions="; ".join(titles)
            ),
        )
        st.caption(
            tr(
                "The closest of the {count} training digits: the shortest difference of 784-long vectors."
            ).format(count=integer(len(x_train)))
        )
