"""Streamlit parts that serve one page: What it learned."""
