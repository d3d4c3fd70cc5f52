"""The core's texts for Inside the network and What it learned, in Spanish: labels, a student's typing
error, and the progress of work that runs off the page (in ``in_language``, as the pages start it)."""

import numpy as np
import pytest

from mnist_core.data.mnist import load_mnist
from mnist_core.engine.default_model import load_shipped
from mnist_core.i18n import in_language
from mnist_core.inspect import ablation, representations, robustness


class Recorder:
    """A TaskControl-like control that keeps every message reported."""

    def __init__(self):
        self.messages = []

    def checkpoint(self):
        pass

    def report(self, fraction, message):
        self.messages.append(message)


@pytest.fixture(scope="module")
def test_digits():
    _, (x_test, y_test) = load_mnist()
    return x_test[:60], y_test[:60]


def test_layer_labels_count_units_and_filters_in_either_language():
    dense = ablation.HiddenLayer(0, "hidden_1", "Dense", 32)
    one = ablation.HiddenLayer(0, "hidden_1", "Dense", 1)
    conv = ablation.HiddenLayer(0, "conv", "Conv2D", 32)
    assert (dense.label, one.label, conv.label) == (
        "hidden_1 (32 units)",
        "hidden_1 (1 unit)",
        "conv (32 filters)",
    )
    with in_language("es"):
        assert (dense.label, one.label, conv.label) == (
            "hidden_1 (32 neuronas)",
            "hidden_1 (1 neurona)",
            "conv (32 filtros)",
        )


def test_a_unit_typed_wrong_says_what_to_type_in_spanish():
    with (
        in_language("es"),
        pytest.raises(ValueError, match="^«x» no es un número de neurona: escribe números de 0 a 31"),
    ):
        ablation.parse_units("3, x", 32)
    assert ablation.parse_units("0-2, 7", 32) == [0, 1, 2, 7]


def test_a_layer_left_out_for_size_is_named_with_spanish_numbers():
    model = load_shipped("default-convnet")
    assert representations.representation_layers(model)[1] == ["conv (21,632 values)"]
    with in_language("es"):
        assert representations.representation_layers(model)[1] == ["conv (21.632 valores)"]


def test_the_curves_report_their_progress_in_the_language_they_run_in(test_digits):
    images, labels = test_digits
    control = Recorder()
    with in_language("es"):
        curves = robustness.robustness_curves(
            model := load_shipped("default"), images, labels, [0, 45], [0, 80], control
        )
    assert control.messages == ["rotación 0°", "rotación 45°", "ruido 0", "ruido 80", "hecho"]
    english = Recorder()
    again = robustness.robustness_curves(model, images, labels, [0, 45], [0, 80], english)
    assert english.messages == ["rotation 0°", "rotation 45°", "noise 0", "noise 80", "done"]
    np.testing.assert_array_equal(curves.rotation_accuracy, again.rotation_accuracy)  # only the words differ


def test_the_t_sne_progress_names_each_layer_in_spanish(test_digits):
    images, _ = test_digits
    messages = []
    with in_language("es"):
        maps = representations.tsne_maps(load_shipped("default"), images, 0, lambda f, m: messages.append(m))
    assert list(maps) == ["pixels", "hidden_1", "output"]
    assert messages[0].startswith("Capa 1 de 3 (pixels): ")
    assert any(m.startswith("Capa 3 de 3 (output): ") for m in messages)
