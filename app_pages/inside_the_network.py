"""Inside the network (life-cycle step 6, opened up): one digit through the layers, number by number,
every layer's map of the test digits, and a convnet's 4-D tensors."""

import streamlit as st

from app_pages.inside_the_network_ui import inside_layers, inside_trace
from mnist_core.i18n import tr
from ui.lazy_tabs import run_open_tab
from ui.links import link_to_this_view
from ui.model_choice import digit_was_followed, model_picker

st.title(tr("Inside the network"))
link_to_this_view("inside_the_network")
st.caption(
    tr(
        "Life-cycle step 6, opened up: a trained network is only arithmetic. Follow one digit through it, "
        "see what each layer makes of all the digits, and the shape of every tensor."
    )
)
if digit_was_followed():  # "Follow this digit" opens the page on that digit's trace
    st.session_state["inside_section"] = tr(inside_trace.TABS[0])
    inside_trace.open_on_your_digit()
choice = model_picker()

# Only the open tab runs: the maps of 2,000 digits cost nothing while the student follows one digit.
run_open_tab(
    [
        tr(label) for label in inside_trace.TABS
    ],  # the URL holds the label as shown; ui.links reads either language
    [
        lambda: inside_trace.follow_one_digit(choice),
        lambda: inside_layers.uncrumpling_view(choice),
        lambda: inside_layers.tensors_view(choice),
    ],
    key="inside_section",
)
