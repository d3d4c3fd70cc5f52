"""A stand-in for TaskControl in unit tests (import as `from recording_control import RecordingControl`)."""

from mnist_core.jobs.tasks import TaskStopped


class RecordingControl:
    """Records what a worker reports, and can ask it to stop after N checkpoints."""

    def __init__(self, stop_after_checkpoints=None):
        self.detail, self.fractions, self.checkpoints = {}, [], 0
        self.stop_after = stop_after_checkpoints
        self.requests, self.pauses = {}, []

    def take_request(self, name):
        return self.requests.pop(name, None)

    def pause(self, message="Paused"):
        self.pauses.append(message)

    @property
    def stop_requested(self):
        return self.stop_after is not None and self.checkpoints >= self.stop_after

    def checkpoint(self):
        self.checkpoints += 1
        if self.stop_requested:
            raise TaskStopped()

    def wait_while_paused(self):
        pass

    def report(self, fraction=None, message=None, **detail):
        if fraction is not None:
            self.fractions.append(fraction)
        self.detail.update(detail)

    def update_detail(self, update):
        update(self.detail)
