"""What it learned asks a worker only when the answer is new: a rerun that changes nothing, or another
student on the same view, sends no job (app_pages.what_it_learned_ui.learned_views.answer keeps answers per model and arguments)."""

from ui.results import server_results

PAGE = "app_pages/what_it_learned.py"


def test_a_rerun_that_changes_nothing_sends_no_job(open_page, jobs_sent):
    server_results().clear()
    app = open_page(PAGE)
    assert {"probabilities", "where_it_looks"} <= set(jobs_sent)
    first = len(jobs_sent)
    app.run()
    assert not app.exception and len(jobs_sent) == first
    open_page(PAGE)  # another student on the same view
    assert len(jobs_sent) == first
    app.selectbox(key="learned_class").set_value("3").run()
    assert jobs_sent[first:] == ["where_it_looks"]  # the digit's answer is known: only the new maps
    assert "The model says **7** (1.00); the maps are for **3**." in [c.value for c in app.caption]
