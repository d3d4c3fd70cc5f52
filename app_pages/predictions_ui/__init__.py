"""Streamlit parts that serve one page: Predictions."""
