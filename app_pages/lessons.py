"""Lessons: ready-made paths through the app for a lecture, and a lecturer's own from a .toml file."""

import streamlit as st

from mnist_core.i18n import integer, ntr, tr
from ui.language import LANGUAGE_KEY
from ui.lesson_bar import (
    BACK_SHORTCUT,
    LESSONS_DIR_ENV,
    NEXT_SHORTCUT,
    REVEAL_SHORTCUT,
    available_paths,
    go_to,
    lesson_text,
    show_uploaded_path,
    step_link,
)
from ui.presentation import presenter_view_on

st.title(tr("Lessons"))
st.markdown(
    tr(
        "Each lesson is a path of steps. A step opens a page with its settings and asks the class one "
        "question: **predict first, then look**. The bar at the top of the page keeps the question in view; "
        "**{reveal}** ({reveal_key}) explains it, **{next}** ({next_key}) and **{back}** ({back_key}) move "
        "along the path."
    ).format(
        reveal=tr("Show what happened"),
        reveal_key=REVEAL_SHORTCUT.upper(),
        next=tr("Next"),
        next_key=NEXT_SHORTCUT.upper(),
        back=tr("Back"),
        back_key=BACK_SHORTCUT.upper(),
    )
)
presenter = presenter_view_on()
language = st.query_params.get(LANGUAGE_KEY)  # once chosen, a step's link opens in that language too
st.caption(
    tr(
        "For a projector, turn on **{presenter}** at the top right before you start: the lesson stays in "
        "it, and the step links below open in it."
    ).format(presenter=tr("Presenter view"))
)

listing = st.container()  # filled last, so a path uploaded below is already in it

st.header(tr("Your own lesson path"))
st.markdown(
    tr(
        "Write a path as a small TOML file (the format is in `lessons/README.md`, and the shipped paths in "
        "`lessons/` are examples), then load it here for this session. To offer paths to every visitor, put "
        "the files in a folder and start the app with `{variable}=that/folder`."
    ).format(variable=LESSONS_DIR_ENV)
)
upload = st.file_uploader(tr("A lesson path (.toml)"), type=["toml"], key="lessons_upload")
if upload is not None:
    show_uploaded_path(upload.name, upload.getvalue())

paths, problems = available_paths()
for problem in problems:
    st.warning(tr("A lesson file was left out: {problem}").format(problem=problem), icon=":material/warning:")
with listing:
    for path in paths.values():
        with st.container(border=True):
            text_column, button_column = st.columns([6, 1], vertical_alignment="top")
            count = len(path.steps)
            steps = ntr("{count} step", "{count} steps", count).format(count=integer(count))
            summary = f"  \n{lesson_text(path.summary)}" if path.summary else ""
            text_column.markdown(
                f"**{lesson_text(path.lesson)} · {lesson_text(path.title)}** · {steps}{summary}"
            )
            if button_column.button(
                tr("Begin"), key=f"lessons_start_{path.id}", icon=":material/play_arrow:"
            ):
                go_to(path, 0)
            with text_column.expander(tr("The steps, and a link to each")):
                st.markdown(
                    "\n".join(
                        f"{number}. [**{lesson_text(step.title) or step.page}**]"
                        f"({step_link(path, number - 1, presenter, language)}) · {lesson_text(step.prompt)}"
                        for number, step in enumerate(path.steps, start=1)
                    )
                )
                st.caption(tr("Each link opens its step with the step's settings, in a new tab."))
