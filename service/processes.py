"""Ending a child process the service started (the heavy lane, the embedded job worker)."""

from __future__ import annotations

import subprocess


def end(process: subprocess.Popen, grace: float) -> None:
    """Ask the process to stop (SIGTERM: gunicorn and Huey finish their work), kill it after `grace` s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
