"""What it learned computes on a model in every tab, yet TensorFlow stays out of the server: it runs in
the workers (a fresh server, with the app's process executor, as a student's first visit finds it)."""

from tests.app.tensorflow_free import tensorflow_imported_by_pages

PAGE = "app_pages/what_it_learned.py"

# Every tab, each with the computation a student asks for there, for one model: run as the page's
# action, after its first run (which already predicted x_test[0] and drew its two maps).
EVERY_TAB = """
import time
from app_pages.what_it_learned_ui.learned_views import CURVES_TASK, TABS
from mnist_core.jobs.tasks import TaskState

def caption_text():
    return ' '.join(c.value for c in app.caption)

def open_tab(label):
    app.session_state['learned_section'] = label
    app.run()
    assert not app.exception, [e.value for e in app.exception]

open_tab(TABS[0])
app.selectbox(key='learned_class').set_value('3').run()
assert 'the maps are for **3**' in caption_text(), caption_text()
assert any(c.proto.alt.startswith('Saliency map for class 3') for c in app.get('plotly_chart'))

open_tab(TABS[1])
task = app.session_state[CURVES_TASK]
deadline = time.monotonic() + 300
while not task.snapshot().is_over:
    assert time.monotonic() < deadline, 'the curves did not finish'
    time.sleep(0.3)
assert task.snapshot().state == TaskState.FINISHED, task.snapshot().message
app.run()
app.slider(key='learned_rotation').set_value(45).run()
assert any('Test accuracy against noise' in c.proto.alt for c in app.get('plotly_chart'))
assert [m.label for m in app.metric][:1] == ['Answered']

open_tab(TABS[2])
app.selectbox(key='learned_target').set_value('3').run()
assert any(m.value.startswith(('The model now says **3**', 'No change of up to'))
           for m in list(app.markdown) + list(app.warning)), [m.value for m in app.markdown]

open_tab(TABS[3])
app.radio(key='learned_off_way').set_value("a digit's most active units").run()
assert {m.label: m.value for m in app.metric}['Units off'].startswith('8 of ')
app.radio(key='learned_off_way').set_value('units I pick').run()
app.text_input(key='learned_off_units').input('0-3').run()
assert {m.label: m.value for m in app.metric}['Units off'].startswith('4 of ')
"""

JOURNEY = (
    EVERY_TAB
    + "\napp.selectbox(key='model').set_value('default-convnet').run()\n"
    + "assert app.selectbox(key='learned_layer') is not None\n"
    + EVERY_TAB
    + "\nassert app.selectbox(key='learned_layer').options[0] == 'conv (32 filters)'\n"
)


def test_every_tab_of_what_it_learned_with_both_shipped_models_leaves_tensorflow_out():
    assert tensorflow_imported_by_pages({PAGE: JOURNEY}) == {PAGE: False}
