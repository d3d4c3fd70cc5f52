"""Streamlit parts that serve one page: Loss surface."""
