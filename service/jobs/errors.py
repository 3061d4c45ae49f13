"""What can go wrong with a job, as the caller sees it (problems.py maps each to problem+json)."""

from __future__ import annotations


class JobNotFound(LookupError):
    """No such job: never submitted, expired, or submitted by another caller."""


class JobNotFinished(RuntimeError):
    """The job's result is asked for before the job is done."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class ResultGone(RuntimeError):
    """The job's result was downloaded already (it is kept for one download) or the job was cancelled."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state
