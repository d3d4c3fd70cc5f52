"""Inside the network runs every Keras computation in a worker: the server never imports TensorFlow.

One student's walk through the page on a fresh server with real worker processes: the trace of a
test image and of their own digit, both shape-error demos, every tab with the first network and
with the convnet, and a t-SNE of the layers started and waited for until it is drawn. After each
step the server's modules are checked, so a failure names the step that imported TensorFlow.
"""

from tests.app.tensorflow_free import tensorflow_imported_by_pages

INSIDE = "app_pages/inside_the_network.py"

STEPS = [
    (
        "the trace of a test image, unit by unit",
        "app.number_input(key='inside_test_index').set_value(3).run(); "
        "app.slider(key='inside_unit_0').set_value(7).run(); "
        "app.slider(key='inside_temperature').set_value(2.0).run(); "
        "assert any('Sum of the 784 products' in m.value for m in app.markdown); "
        'assert any("differ from Keras\'s output" in c.value for c in app.caption)',
    ),
    (
        "the trace of the student's own digit",
        "import numpy as np; "
        "app.session_state['predictions_your_digit'] = "
        "{'digit': np.eye(28, dtype=np.uint8) * 255, 'source': 'your drawing'}; app.run(); "
        "app.radio(key='inside_source').set_value('Your digit').run(); "
        "assert any('Sum of the 784 products' in m.value for m in app.markdown)",
    ),
    (
        "the two real-Keras shape errors",
        "app.button(key='inside_bug_reshape').click().run(); "
        "app.button(key='inside_bug_one-hot').click().run(); "
        "errors = [e.value for e in app.error]; "
        "assert any('expected shape=(None, 784)' in e for e in errors), errors; "
        "assert any('must have the same rank' in e for e in errors), errors",
    ),
    (
        "the layer maps, epoch by epoch, with the student's digit as a star",
        "app.session_state['inside_section'] = '2 · Layer by layer'; app.run(); "
        "app.slider(key='inside_epoch').set_value(0).run(); "
        "assert [m.label for m in app.metric] == ['pixels', 'hidden_1', 'output']; "
        "assert any('The star is your digit.' in c.value for c in app.caption)",
    ),
    (
        "the t-SNE of every layer, started and finished",
        "import time\n"
        "app.radio(key='inside_projection').set_value('t-SNE').run()\n"
        "app.button(key='inside_tsne_start').click().run()\n"
        "task = app.session_state['inside_tsne_task']\n"
        "deadline = time.monotonic() + 400\n"
        "while not task.snapshot().is_over and time.monotonic() < deadline:\n"
        "    time.sleep(1)\n"
        "assert task.snapshot().state.name == 'FINISHED', task.snapshot()\n"
        "app.run(); "
        "assert app.get('plotly_chart')[0].proto.alt.startswith('t-SNE maps of 1,000 test digits')",
    ),
    (
        "the tensor shapes of the first network",
        "app.session_state['inside_section'] = '3 · Tensor shapes'; app.run(); "
        "assert list(app.dataframe[0].value['output shape'])[-1] == '(1, 10)'",
    ),
    (
        "the convnet's tensors and feature maps",
        "app.button(key='inside_tensors_convnet').click().run(); "
        "assert app.selectbox(key='model').value == 'default-convnet'; "
        "app.radio(key='inside_source').set_value('A test image').run(); "
        "app.number_input(key='inside_test_index').set_value(4).run(); "
        "assert '(1, 26, 26, 32)' in list(app.dataframe[0].value['output shape'])",
    ),
    (
        "the convnet's layer maps",
        "app.session_state['inside_section'] = '2 · Layer by layer'; app.run(); "
        "app.radio(key='inside_projection').set_value('PCA').run(); "
        "assert [m.label for m in app.metric] == ['pixels', 'pool', 'hidden_1', 'output']",
    ),
    (
        "the convnet's filters and feature maps on the first tab",
        "app.session_state['inside_section'] = '1 · Follow one digit'; app.run(); "
        "assert 'The convolution: 32 small filters slide over the image' in [h.value for h in app.header]",
    ),
]


def walk() -> str:
    """The steps as one action, each followed by a check that names it if TensorFlow came in."""
    return "\n".join(
        f"{action}\nassert not app.exception, [e.value for e in app.exception]\n"
        f"assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, {'after ' + name!r}"
        for name, action in STEPS
    )


def test_every_view_of_inside_the_network_leaves_tensorflow_out_of_the_server():
    assert tensorflow_imported_by_pages({INSIDE: walk()}, timeout=900) == {INSIDE: False}
