"""Streamlit parts that serve one page: Inside the network."""
