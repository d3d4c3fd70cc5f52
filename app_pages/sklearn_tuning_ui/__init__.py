"""Streamlit parts that serve one page: the scikit-learn page."""
