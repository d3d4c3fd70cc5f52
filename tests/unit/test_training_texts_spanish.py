"""The training engine's texts for a student, in Spanish: progress, failures, advice and bad uploads."""

import threading

import pytest
from recording_control import RecordingControl

from mnist_core.engine.models import load_model_bytes
from mnist_core.engine.spec import ModelSpec, TrainConfig
from mnist_core.engine.training import diagnose, divergence_message, rate_text, train
from mnist_core.i18n import in_language, run_in_language


def test_rates_keep_their_digits_and_take_the_languages_mark():
    assert [rate_text(r) for r in (0.0001, 0.2, 3.0)] == ["0.0001", "0.2", "3"]
    with in_language("es"):
        assert [rate_text(r) for r in (0.0001, 0.2, 3.0)] == ["0,0001", "0,2", "3"]


def test_failures_and_advice_read_in_spanish():
    with in_language("es"):
        message = divergence_message(1234, ModelSpec(learning_rate=10.0))
        warning = diagnose([{"val_accuracy": 0.1}], ModelSpec(learning_rate=10.0), TrainConfig(epochs=1))
        with pytest.raises(ValueError, match="epochs debe estar entre 1 y 50, no 51"):
            TrainConfig(epochs=51)
        with pytest.raises(ValueError, match="no es un archivo de modelo .keras"):
            load_model_bytes(b"not a zip", "mine.keras")
    assert (
        message.startswith("La pérdida se disparó")
        and "1.234" in message
        and "(tasa de aprendizaje 10)" in message
    )
    assert warning.startswith("La exactitud de validación es 0,10") and "10 veces menor" in warning


class MessageControl(RecordingControl):
    def __init__(self):
        super().__init__()
        self.messages = []

    def report(self, fraction=None, message=None, **detail):
        if message is not None:
            self.messages.append(message)
        super().report(fraction, None, **detail)


def test_a_run_on_a_thread_reports_in_the_language_it_was_given_and_in_english_without_one():
    """A thread has no page to ask: ``run_in_language`` (what ui.tasks.start_task uses) gives it one."""
    config = TrainConfig(epochs=1, batch_size=512, train_limit=2_000)
    spanish, english = MessageControl(), MessageControl()
    threads = [
        threading.Thread(target=run_in_language, args=("es", train, ModelSpec(), config, spanish)),
        threading.Thread(target=train, args=(ModelSpec(), config, english)),
    ]
    with in_language("es"):  # the starting thread's language does not leak into a new thread
        for thread in threads:
            thread.start()
    for thread in threads:
        thread.join(120)
    assert spanish.messages[0] == "Preparando los datos: separar, cambiar la forma, one-hot"
    assert "Época 1 de 1: 4 de 4 actualizaciones de gradiente" in spanish.messages
    assert spanish.messages[-1] == "Evaluando con las 10.000 imágenes de prueba"
    assert "Epoch 1 of 1: 4 of 4 gradient updates" in english.messages
