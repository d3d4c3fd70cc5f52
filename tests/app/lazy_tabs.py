"""Pages whose tabs run only while open (st.tabs with on_change="rerun"): open one in AppTest."""


def open_lazy_tab(app, key: str, label: str):
    """Open the tab labelled ``label`` of the tabs with widget key ``key``, run the page, return the app."""
    app.session_state[key] = label
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app
