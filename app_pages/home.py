"""Home: the six-step life cycle of a model, as a map of the app."""

import streamlit as st

from ui.links import link_to_this_view

LIFE_CYCLE = [
    (
        "1",
        "Gather and prepare the data",
        "70,000 handwritten digits become numbers, then vectors of 784 pixels scaled to 0-1.",
        [
            ("app_pages/data.py", "The data"),
            ("app_pages/pixels_as_vectors.py", "Pixels as vectors"),
            ("app_pages/dimensions.py", "784 dimensions"),
        ],
    ),
    (
        "2",
        "Define the model",
        "Choose layers and units: 784 inputs, some hidden layers, 10 outputs.",
        [("app_pages/build_and_train.py", "Build & Train")],
    ),
    (
        "3",
        "Compile it",
        "Pick a loss (how wrong is it?) and an optimizer (how to get less wrong).",
        [("app_pages/build_and_train.py", "Build & Train"), ("app_pages/loss_surface.py", "Loss surface")],
    ),
    (
        "4",
        "Fit it",
        "Show it batches of examples; after each batch, nudge every weight downhill.",
        [
            ("app_pages/build_and_train.py", "Build & Train"),
            ("app_pages/loss_surface.py", "Loss surface"),
            ("app_pages/one_step.py", "One step by numbers"),
        ],
    ),
    (
        "5",
        "Evaluate it",
        "Score it on 10,000 test digits it has never seen.",
        [
            ("app_pages/predictions.py", "Predictions"),
            ("app_pages/sklearn_tuning.py", "scikit-learn & tuning"),
        ],
    ),
    (
        "6",
        "Generate predictions",
        "Give it a new digit, even one you draw, and read its answer.",
        [
            ("app_pages/predictions.py", "Predictions"),
            ("app_pages/inside_the_network.py", "Inside the network"),
            ("app_pages/what_it_learned.py", "What it learned"),
        ],
    ),
]

st.title("MNIST Demystified")
link_to_this_view("home")
st.markdown(
    "How does a neural network learn to read handwriting? Every page here runs the real thing: "
    "the real MNIST digits, real Keras networks, real training, on this server, live. "
    "Building any model follows the same six steps. Pick one to explore."
)

for row_start in (0, 3):
    columns = st.columns(3, border=True)
    for column, (number, title, explanation, links) in zip(columns, LIFE_CYCLE[row_start : row_start + 3]):
        with column:
            st.subheader(f"{number} · {title}")
            st.write(explanation)
            for page, label in links:
                st.page_link(page, label=label, icon=":material/arrow_forward:")

st.info(
    "New here? Start with **The data**, then train your first network on **Build & Train**: "
    "it takes about five seconds and reaches about 95% accuracy.",
    icon=":material/school:",
)
