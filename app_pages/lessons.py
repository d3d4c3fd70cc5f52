"""Lessons: ready-made paths through the app for a lecture, and a lecturer's own from a .toml file."""

import streamlit as st

from ui.lesson_bar import (
    BACK_SHORTCUT,
    LESSONS_DIR_ENV,
    NEXT_SHORTCUT,
    REVEAL_SHORTCUT,
    available_paths,
    go_to,
    show_uploaded_path,
    step_link,
)
from ui.presentation import presenter_view_on

st.title("Lessons")
st.markdown(
    "Each lesson is a path of steps. A step opens a page with its settings and asks the class one "
    "question: **predict first, then look**. The bar at the top of the page keeps the question in view; "
    f"**Show what happened** ({REVEAL_SHORTCUT.upper()}) explains it, **Next** ({NEXT_SHORTCUT.upper()}) "
    f"and **Back** ({BACK_SHORTCUT.upper()}) move along the path."
)
presenter = presenter_view_on()
st.caption(
    "For a projector, turn on **Presenter view** at the top right before you start: the lesson stays in "
    "it, and the step links below open in it."
)

listing = st.container()  # filled last, so a path uploaded below is already in it

st.header("Your own lesson path")
st.markdown(
    "Write a path as a small TOML file (the format is in `lessons/README.md`, and the shipped paths in "
    "`lessons/` are examples), then load it here for this session. To offer paths to every visitor, put the "
    f"files in a folder and start the app with `{LESSONS_DIR_ENV}=that/folder`."
)
upload = st.file_uploader("A lesson path (.toml)", type=["toml"], key="lessons_upload")
if upload is not None:
    show_uploaded_path(upload.name, upload.getvalue())

paths, problems = available_paths()
for problem in problems:
    st.warning(f"A lesson file was left out: {problem}", icon=":material/warning:")
with listing:
    for path in paths.values():
        with st.container(border=True):
            text_column, button_column = st.columns([6, 1], vertical_alignment="top")
            summary = f"  \n{path.summary}" if path.summary else ""
            text_column.markdown(f"**{path.lesson} · {path.title}** · {len(path.steps)} steps{summary}")
            if button_column.button("Start", key=f"lessons_start_{path.id}", icon=":material/play_arrow:"):
                go_to(path, 0)
            with text_column.expander("The steps, and a link to each"):
                st.markdown(
                    "\n".join(
                        f"{number}. [**{step.title or step.page}**]({step_link(path, number - 1, presenter)}) "
                        f"· {step.prompt}"
                        for number, step in enumerate(path.steps, start=1)
                    )
                )
                st.caption("Each link opens its step with the step's settings, in a new tab.")
