"""Build & Train on a fresh server: the diagram, a training, its replay and a branch, with no TensorFlow in it.

Every Keras computation of the page runs in a worker process (the process executor, as
``streamlit run`` uses): the initial weights of the diagram, the training, the branch from the
first run's initial weights. A replay plays the recorded run back on a server thread with NumPy.
"""

from tests.app.tensorflow_free import tensorflow_imported_by_pages

JOURNEY = """
import time

def settle(done, seconds=300):
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, 'the page did not get there in time'
        time.sleep(0.5)
        app.run()
        assert not app.exception, [e.value for e in app.exception]

def chart_ids():
    return [element.proto.id for element in app.get('plotly_chart')]

def over():
    return app.session_state['train_task'].snapshot().is_over

def finished(count):
    settle(over)
    app.run()
    snapshot = app.session_state['train_task'].snapshot()
    assert snapshot.state.value == 'finished', snapshot.message
    assert len(app.session_state['train_runs']) == count
    return snapshot

# The diagram's initial weights come from a worker: shown once it answers.
settle(lambda: any(i.endswith('-train_network_diagram') for i in chart_ids()))
app.slider(key='train_epochs').set_value(1).run()
app.number_input(key='train_batch_size').set_value(4096).run()
app.button(key='train_start').click().run()
snapshot = finished(1)
assert 'replay_of' not in snapshot.detail and snapshot.result.worker_pid
metrics = {metric.label: metric.value for metric in app.metric}
assert 0.5 < float(metrics['Test accuracy']) <= 1, metrics
assert any(i.endswith('-train_epoch_chart') for i in chart_ids())
assert app.session_state['train_runs'][0].keras_bytes[:2] == b'PK'  # a .keras file is a zip
# The same settings again: a replay of the recorded run.
app.button(key='train_start').click().run()
snapshot = finished(2)
assert 'replay_of' in snapshot.detail
# A branch: the first run again from its initial weights, in a worker.
app.button(key='train_again_same_seed').click().run()
snapshot = finished(3)
runs = app.session_state['train_runs']
assert runs[2].origin.startswith('run 1 again')
assert runs[2].result.test_accuracy == runs[0].result.test_accuracy  # same start, same seed: same run
"""


def test_build_and_train_trains_replays_and_branches_without_tensorflow_in_the_server():
    pages = {"app_pages/build_and_train.py": JOURNEY}
    assert tensorflow_imported_by_pages(pages, timeout=900) == {"app_pages/build_and_train.py": False}
