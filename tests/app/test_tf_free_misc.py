"""The scikit-learn page's Keras comparison, t-SNE, the CSV export and the lesson's shape errors leave
TensorFlow out of the server: their work runs in worker processes (real ones here, as on a new server)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mnist_core.teaching.lesson_paths import load_lesson_paths
from tests.app.tensorflow_free import ROOT, tensorflow_imported_by_pages

SHIPPED, _ = load_lesson_paths([ROOT / "lessons"])
LESSON_3 = next(path for path in SHIPPED if path.id == "lesson-3")
SHAPE_ERRORS_STEP = next(
    number for number, step in enumerate(LESSON_3.steps, start=1) if step.control == "inside_bug_reshape"
)

# Each journey runs its work to the end, then checks the page shows the result.
KERAS_COMPARISON = """
app.selectbox(key='sklearn_samples').set_value(1000)
app.number_input(key='sklearn_max_iter').set_value(1).run()
app.button(key='sklearn_keras_run').click().run()
snapshot = app.session_state['sklearn_keras_task'].join(300)
assert snapshot.state.value == 'finished', snapshot.message
app.run()
assert list(app.dataframe[-1].value['framework']) == ['scikit-learn', 'Keras']
"""
TSNE_MAP = """
from ui import data_views
app.session_state['dimensions_section'] = '3 · Flatten to 2-D or 3-D'
app.run()
app.radio(key='dimensions_method').set_value('t-SNE').run()
app.select_slider(key='dimensions_n').set_value(1000).run()
app.radio(key='dimensions_dims').set_value(2).run()
app.button(key='dimensions_tsne_start').click().run()
snapshot = app.session_state['dimensions_tsne_task'].join(600)
assert snapshot.state.value == 'finished', snapshot.message
app.run()
assert data_views.tsne_result(1000, 2, 0).shape == (1000, 2)
assert not [button for button in app.button if button.key == 'dimensions_tsne_start']  # the map is drawn
"""
CSV_EXPORT = """
app.radio(key='data_export_split').set_value('test').run()
app.number_input(key='data_export_rows').set_value(37).run()
app.button(key='data_export_start').click().run()
snapshot = app.session_state['data_export_task'].join(120)
assert snapshot.state.value == 'finished', snapshot.message
app.run()
assert any('mnist_test_37' in button.proto.label for button in app.download_button)
"""
SHAPE_ERRORS_LESSON = f"""
app.query_params['lesson'] = 'lesson-3'
app.query_params['step'] = '{SHAPE_ERRORS_STEP}'
app.run()  # the lesson bar opens the step's page, Inside the network
assert [title.value for title in app.title] == ['Inside the network']
app.switch_page('app_pages/inside_the_network.py').run()  # AppTest stays there only when told
assert app.session_state['lesson_active'] == 'lesson-3'
app.button(key='inside_bug_reshape').click().run()
app.button(key='inside_bug_one-hot').click().run()
errors = [error.value for error in app.error]
assert any('expected shape=(None, 784)' in error for error in errors), errors
assert any('must have the same rank' in error for error in errors), errors
"""

PAGES = {
    "app_pages/data.py": CSV_EXPORT,
    "app_pages/dimensions.py": TSNE_MAP,
    "app_pages/sklearn_tuning.py": KERAS_COMPARISON,
}


def test_the_keras_comparison_t_sne_and_csv_export_leave_tensorflow_out():
    assert tensorflow_imported_by_pages(PAGES) == dict.fromkeys(PAGES, False)


SHAPE_ERRORS_IN_A_SERVER = """
import sys
from app_pages.inside_the_network_ui.inside_trace import shape_error
for which in ('reshape', 'one-hot'):
    demo = shape_error(which, 'en')
    assert demo.raised and demo.error_type == 'ValueError', demo
print('tensorflow' in sys.modules or 'keras' in sys.modules)
"""


def test_the_shape_error_demos_run_in_a_worker():
    """The demos as Inside the network calls them, in a fresh interpreter with the real worker pool."""
    output = subprocess.run(
        [sys.executable, "-c", SHAPE_ERRORS_IN_A_SERVER],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "MNIST_EXECUTOR": "process"},
        timeout=600,
    )
    assert output.returncode == 0, output.stderr[-3000:]
    assert output.stdout.split()[-1] == "False"


def test_the_lesson_step_with_the_shape_errors_leaves_tensorflow_out():
    inside = "app_pages/inside_the_network.py"
    if tensorflow_imported_by_pages({inside: ""})[inside]:
        pytest.skip(
            "Inside the network itself still loads its model into the server (moving it is another task), "
            "so this journey cannot tell whether the demos did"
        )
    assert tensorflow_imported_by_pages({"app_pages/lessons.py": SHAPE_ERRORS_LESSON}) == {
        "app_pages/lessons.py": False
    }


def test_the_journeys_name_real_widgets():
    """The step the lesson journey opens is the one with the demo (a renamed key fails here, not later)."""
    assert LESSON_3.steps[SHAPE_ERRORS_STEP - 1].page == "inside_the_network"
    assert (
        Path(ROOT / "app_pages" / "inside_the_network_ui" / "inside_trace.py")
        .read_text()
        .count('key=f"inside_bug_{which}"')
        == 1
    )
