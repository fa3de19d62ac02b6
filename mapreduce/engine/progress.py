"""What the engine tells whoever watches a run: phases starting, tasks finishing."""

from __future__ import annotations

from typing import Protocol

__all__ = ["NullProgress", "Progress"]


class Progress(Protocol):
    """Receives phase and task events from the engine (the CLI draws bars from them)."""

    def start_phase(self, name: str, tasks: int, done: int) -> None: ...
    def task_done(self, records: int, nbytes: int) -> None: ...
    def end_phase(self) -> None: ...
    def note(self, text: str) -> None: ...


class NullProgress:
    """Ignores every event; the engine's default."""

    def start_phase(self, name: str, tasks: int, done: int) -> None:
        pass

    def task_done(self, records: int, nbytes: int) -> None:
        pass

    def end_phase(self) -> None:
        pass

    def note(self, text: str) -> None:
        pass
