"""Streamlit-only helpers shared by the pages: cached resources, task panels, session state."""
