"""Specs, Keras models and the training engine, with what a run leaves behind (logs, replays)."""
