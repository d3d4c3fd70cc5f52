"""UNBUILT PAGE: replaced by its issue's work before any release."""

import streamlit as st

st.title("784 dimensions")
