"""Streamlit parts that serve one page: Build & Train."""
