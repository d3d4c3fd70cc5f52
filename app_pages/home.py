"""Home: the six-step life cycle of a model, as a map of the app."""

import streamlit as st

from mnist_core.i18n import N_, percent, tr
from ui.links import link_to_this_view

LIFE_CYCLE = [
    (
        "1",
        N_("Gather and prepare the data"),
        N_("70,000 handwritten digits become numbers, then vectors of 784 pixels scaled to 0-1."),
        [
            ("app_pages/data.py", N_("The data")),
            ("app_pages/pixels_as_vectors.py", N_("Pixels as vectors")),
            ("app_pages/dimensions.py", N_("784 dimensions")),
        ],
    ),
    (
        "2",
        N_("Define the model"),
        N_("Choose layers and units: 784 inputs, some hidden layers, 10 outputs."),
        [("app_pages/build_and_train.py", N_("Build & Train"))],
    ),
    (
        "3",
        N_("Compile it"),
        N_("Pick a loss (how wrong is it?) and an optimizer (how to get less wrong)."),
        [
            ("app_pages/build_and_train.py", N_("Build & Train")),
            ("app_pages/loss_surface.py", N_("Loss surface")),
        ],
    ),
    (
        "4",
        N_("Fit it"),
        N_("Show it batches of examples; after each batch, nudge every weight downhill."),
        [
            ("app_pages/build_and_train.py", N_("Build & Train")),
            ("app_pages/loss_surface.py", N_("Loss surface")),
            ("app_pages/one_step.py", N_("One step by numbers")),
        ],
    ),
    (
        "5",
        N_("Evaluate it"),
        N_("Score it on 10,000 test digits it has never seen."),
        [
            ("app_pages/predictions.py", N_("Predictions")),
            ("app_pages/sklearn_tuning.py", N_("scikit-learn & tuning")),
        ],
    ),
    (
        "6",
        N_("Generate predictions"),
        N_("Give it a new digit, even one you draw, and read its answer."),
        [
            ("app_pages/predictions.py", N_("Predictions")),
            ("app_pages/inside_the_network.py", N_("Inside the network")),
            ("app_pages/what_it_learned.py", N_("What it learned")),
        ],
    ),
]

st.title("MNIST Demystified")
link_to_this_view("home")
st.markdown(
    tr(
        "How does a neural network learn to read handwriting? Every page here runs the real thing: "
        "the real MNIST digits, real Keras networks, real training, on this server, live. "
        "Building any model follows the same six steps. Pick one to explore."
    )
)

for row_start in (0, 3):
    columns = st.columns(3, border=True)
    for column, (number, title, explanation, links) in zip(columns, LIFE_CYCLE[row_start : row_start + 3]):
        with column:
            st.subheader(f"{number} · {tr(title)}")
            st.write(tr(explanation))
            for page, label in links:
                st.page_link(page, label=tr(label), icon=":material/arrow_forward:")

st.info(
    tr(
        "New here? Start with **The data**, then train your first network on **Build & Train**: "
        "it takes about five seconds and reaches about {accuracy} accuracy."
    ).format(accuracy=percent(0.95)),
    icon=":material/school:",
)
