"""MNIST Demystified: page config and navigation. Each page lives in app_pages/.

The folder is not called pages/: with a pages/ folder beside the entry script, Streamlit
runs its older automatic navigation for a deep link to a fresh server, skipping this file.
"""

import streamlit as st

from mnist_core.i18n import tr
from ui.accessibility import accessibility_helpers
from ui.language import language_picker, use_viewer_language
from ui.lesson_bar import lesson_bar, page_name
from ui.links import finish_page
from ui.presentation import presentation_controls
from ui.script_runner_fixes import keep_keras_state_between_runs
from ui.sidebar import training_status
from ui.worker_jobs import executor_kind, start_workers

if executor_kind() == "thread":  # Keras runs in this process only then (tests, MNIST_EXECUTOR=thread)
    keep_keras_state_between_runs()  # before any page: see the module's docstring

st.set_page_config(page_title="MNIST Demystified", page_icon=":material/draw:", layout="wide")
use_viewer_language()  # before any text: every tr() below translates into it
start_workers()  # once per server: the Keras workers warm up while the first student reads

PAGES = {
    tr("Start"): [
        st.Page(
            "app_pages/home.py",
            title=tr("The life cycle of a model"),
            icon=":material/explore:",
            default=True,
        ),
        st.Page("app_pages/lessons.py", title=tr("Lessons"), icon=":material/school:"),
    ],
    tr("Step 1 · The data"): [
        st.Page("app_pages/data.py", title=tr("The data"), icon=":material/grid_on:"),
        st.Page(
            "app_pages/pixels_as_vectors.py", title=tr("Pixels as vectors"), icon=":material/linear_scale:"
        ),
        st.Page("app_pages/dimensions.py", title=tr("784 dimensions"), icon=":material/deployed_code:"),
    ],
    tr("Steps 2-4 · Define, compile, fit"): [
        st.Page("app_pages/build_and_train.py", title=tr("Build & Train"), icon=":material/model_training:"),
        st.Page("app_pages/loss_surface.py", title=tr("Loss surface"), icon=":material/landscape:"),
        st.Page("app_pages/one_step.py", title=tr("One step by numbers"), icon=":material/calculate:"),
    ],
    tr("Steps 5-6 · Evaluate, predict"): [
        st.Page("app_pages/predictions.py", title=tr("Predictions"), icon=":material/target:"),
        st.Page("app_pages/inside_the_network.py", title=tr("Inside the network"), icon=":material/biotech:"),
        st.Page("app_pages/what_it_learned.py", title=tr("What it learned"), icon=":material/psychology:"),
    ],
    tr("The same in scikit-learn"): [
        st.Page("app_pages/sklearn_tuning.py", title=tr("scikit-learn & tuning"), icon=":material/science:"),
    ],
    tr("In class"): [
        st.Page(
            "app_pages/class_board.py",
            title=tr("Class board"),
            icon=":material/co_present:",
            url_path="class_board",
        ),
        st.Page("app_pages/join.py", title=tr("Join a class"), icon=":material/stylus:", url_path="join"),
    ],
}

navigation = st.navigation(PAGES)
language_picker()  # the sidebar's first control, under the page list
accessibility_helpers(page_name(navigation))  # first in the page: the next Tab stop after the sidebar
presentation_controls()  # the presenter toggle at the top of every page, and the app's CSS
training_status()
lesson_bar(page_name(navigation))
navigation.run()
finish_page()  # the page's link, complete now that every widget is in the URL
