"""Looking inside a trained network: traces, attributions, layers, robustness, evaluation."""
