"""The Loss surface and One step by numbers do all their Keras work in workers: the server never imports it.

A fresh interpreter walks both pages with the real worker processes (``MNIST_EXECUTOR=process``):
every part of the Loss surface, the shipped model's landscape computed to the end, the quick
network trained and its own landscape; and One step's whole step (forward pass, hand-computed
gradient, the Keras optimizer's update) for two layers and two optimizers.
"""

from tests.app.tensorflow_free import tensorflow_imported_by_pages

# Actions run with ``app`` (the page's AppTest); each may assert, and a failed one fails the test.
WAIT_FOR_TASK = """
def finished(key):
    from mnist_core.jobs.tasks import TaskState
    snapshot = app.session_state[key].join(400)
    assert snapshot.state == TaskState.FINISHED, (key, snapshot.state, snapshot.message)
    app.run()
    return snapshot
"""

LOSS_SURFACE = (
    WAIT_FOR_TASK
    + """
app.button(key='surface_walker_ten').click().run()
assert app.slider(key='surface_walker_steps').value == 10 and app.info  # where the walker got to
app.session_state['surface_part'] = '2 · Two weights: optimizers race'; app.run()
app.select_slider(key='surface_lr_adam').set_value(0.3).run()
assert len(app.dataframe[0].value) == 4
app.session_state['surface_part'] = "3 · Your network's landscape"; app.run()
assert app.selectbox(key='surface_run').value.startswith('Default')
app.select_slider(key='surface_landscape_resolution').set_value(11).run()
app.button(key='surface_compute').click().run()
landscape = finished('surface_landscape_task').result
assert len(landscape.path) == 6 and landscape.pca_grid.shape == (11, 11)
assert any('The road your run took' in m.value for m in app.markdown)
app.radio(key='surface_landscape_plane').set_value('Two random directions').run()
assert any('filter-normalized' in m.value for m in app.markdown)
app.button(key='surface_train_quick').click().run()
finished('train_task')
assert app.selectbox(key='surface_run').value.startswith('Run 1: 784-32-10')
app.button(key='surface_compute').click().run()
landscape = finished('surface_landscape_task').result
assert len(landscape.path) == 4  # before training and after each of the quick network's 3 epochs
assert any('surface_landscape_contour' in chart.proto.id for chart in app.get('plotly_chart'))
"""
)

ONE_STEP = """
def step_text():
    return next(m.value for m in app.markdown if 'tf.GradientTape' in m.value)

assert 'hidden_1.kernel[350, 3]' in step_text()
assert any('By backpropagation, by hand' in c.value for c in app.caption)
assert any(any('as Keras applied it' in str(v) for v in d.value.iloc[:, 0]) for d in app.dataframe)
app.number_input(key='step_unit').set_value(5).run()
assert 'hidden_1.kernel[350, 5]' in step_text()
app.select_slider(key='step_batch_size').set_value(8).run()
app.selectbox(key='step_layer').set_value(1).run()
assert 'output.kernel[' in step_text()
app.session_state['train_optimizer'] = 'adam'; app.run()
assert app.subheader[3].value == '4 · The update: Adam'
assert 'output.kernel[' in step_text()
"""

PAGES = {"app_pages/loss_surface.py": LOSS_SURFACE, "app_pages/one_step.py": ONE_STEP}


def test_the_loss_surface_and_one_step_leave_tensorflow_to_the_workers():
    assert tensorflow_imported_by_pages(PAGES, timeout=1200) == dict.fromkeys(PAGES, False)
