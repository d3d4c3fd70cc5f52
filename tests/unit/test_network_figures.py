"""The network diagram: the sample of a dense network's weights, the convnet's shapes and parameter counts."""

import numpy as np
import pytest

from mnist_core.engine.spec import PRESETS, ModelSpec, parameter_counts
from mnist_core.figures.network_figures import (
    NEGATIVE,
    POSITIVE,
    convnet_blocks_alt,
    convnet_blocks_figure,
    dense_diagram_alt,
    dense_diagram_figure,
)
from mnist_core.inspect.network_diagram import (
    SHOWN_PIXELS,
    layer_rows,
    sample_dense_weights,
    shape_text,
    shown_units,
)


def random_weights(widths, seed=0):
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, units in zip(widths, widths[1:]):
        weights += [
            rng.normal(size=(fan_in, units)).astype(np.float32),
            rng.normal(size=units).astype(np.float32),
        ]
    return weights


def test_a_wide_layer_is_sampled_and_a_narrow_one_drawn_whole():
    assert list(shown_units(10)) == list(range(10))
    wide = shown_units(512)
    assert len(wide) == 16 and wide[0] == 0 and wide[-1] == 511
    weights = random_weights((784, 512, 8, 10))
    diagram = sample_dense_weights(weights)
    assert [len(s) for s in diagram.shown] == [16, 16, 8, 10]
    np.testing.assert_array_equal(diagram.kernels[0], weights[0][np.ix_(SHOWN_PIXELS, wide)])
    np.testing.assert_array_equal(diagram.biases[2], weights[5])


def test_edges_are_blue_for_positive_and_red_for_negative_weights_and_the_sample_is_named():
    weights = random_weights((784, 512, 10))
    diagram = sample_dense_weights(weights)
    figure = dense_diagram_figure(diagram, "initial weights")
    lines = [t for t in figure.data if t.type == "scatter" and t.mode == "lines"]
    blue = sum(np.isfinite(t.x).sum() // 2 for t in lines if t.line.color == POSITIVE)
    red = sum(np.isfinite(t.x).sum() // 2 for t in lines if t.line.color == NEGATIVE)
    kernels = np.concatenate([k.ravel() for k in diagram.kernels])
    assert (blue, red) == ((kernels > 0).sum(), (kernels < 0).sum())
    assert blue + red == 16 * 16 + 16 * 10
    texts = " ".join(a.text for a in figure.layout.annotations)
    assert "16 of 512 units in hidden layer 1" in texts and "16 of 784 inputs" in texts
    alt = dense_diagram_alt(diagram, "initial weights")
    assert "784 - 512 - 10" in alt and f"{(kernels > 0).sum()} of the 416 drawn weights are positive" in alt


def test_no_hidden_layer_draws_inputs_straight_to_outputs():
    diagram = sample_dense_weights(random_weights((784, 10)))
    figure = dense_diagram_figure(diagram)
    assert [len(s) for s in diagram.shown] == [16, 10]
    assert "16 of 784 inputs; all 10 outputs" in " ".join(a.text for a in figure.layout.annotations)


def test_the_convnet_layer_table_has_4d_shapes_pooling_flatten_and_the_formulas_counts():
    spec = PRESETS["convnet"].model
    rows = layer_rows(spec)
    assert [shape_text(r.output_shape) for r in rows] == [
        "(batch, 28, 28, 1)",
        "(batch, 26, 26, 32)",
        "(batch, 13, 13, 32)",
        "(batch, 5408)",
        "(batch, 100)",
        "(batch, 10)",
    ]
    assert [r.parameters for r in rows] == [0, 320, 0, 0, 540_900, 1_010]
    assert sum(r.parameters for r in rows) == sum(c.parameters for c in parameter_counts(spec))
    figure = convnet_blocks_figure(rows)
    assert "542,230 parameters" in figure.layout.title.text
    assert "MaxPooling2D (2 x 2) (batch, 13, 13, 32), 0 parameters" in convnet_blocks_alt(rows)


@pytest.mark.parametrize("spec", [ModelSpec(), PRESETS["deeper-network"].model, PRESETS["convnet"].model])
def test_the_layer_table_counts_what_keras_counts(spec):
    from mnist_core.engine.models import build_model

    model = build_model(spec)
    rows = [r for r in layer_rows(spec) if r.name != "Input"]
    assert sum(r.parameters for r in rows) == model.count_params()
    keras_shapes = [tuple(layer.output.shape) for layer in model.layers[2:]]  # after Input and scaling
    assert [r.output_shape for r in rows] == keras_shapes
