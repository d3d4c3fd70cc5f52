"""Streamlit parts that serve one page: One step by numbers."""
