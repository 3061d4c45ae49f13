"""The front's heavy-lane places (service/lanes.py): shared by forked workers, given back by dead ones."""

from __future__ import annotations

import os

import pytest

from service.lanes import Places
from service.lanes import queue_setting


def test_places_are_shared_with_forked_workers_and_a_killed_workers_come_back():
    places = Places(3)
    assert places.take()  # this process holds one
    child = os.fork()
    if child == 0:  # a front worker: takes the two left, then is killed mid-call
        os._exit(0 if places.take() and places.take() and not places.take() else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not places.take()  # all three held: the next call is shed
    assert places.worker_exited(child) == 2  # gunicorn's child_exit gives the dead worker's back
    assert places.take() and places.take() and not places.take()
    places.give()
    places.give()
    places.give()
    assert places.worker_exited(os.getpid()) == 0  # this process gave all it took


@pytest.mark.parametrize(("value", "depth"), [(None, 4), ("", 4), ("0", 0), ("12", 12)])
def test_the_queue_setting(value, depth):
    assert queue_setting(value) == depth


@pytest.mark.parametrize("value", ["abc", "-1", "101", "1.5"])
def test_a_bad_queue_setting_is_refused(value):
    with pytest.raises(ValueError, match="ATTENDANCE_CONVERSION_QUEUE"):
        queue_setting(value)


