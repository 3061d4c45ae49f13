"""A bad signing or trust setting stops the real service at its start: gunicorn exits, saying why, and never
printing the passphrase."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.conftest import _free_port
from tests.pki import PASSPHRASE

pytestmark = pytest.mark.e2e


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    settings = {**os.environ, "ATTENDANCE_BIND": f"127.0.0.1:{_free_port()}", "ATTENDANCE_WORKERS": "1", **env}
    return subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--worker-tmp-dir", "/dev/shm", "wsgi:app"],
        cwd=ROOT, env=settings, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize(("settings", "says"), [
    ({"ATTENDANCE_SIGNING_PKCS12": "/nonexistent/school.p12", "ATTENDANCE_SIGNING_PASSPHRASE": "x"},
     "cannot be read"),
    ({"ATTENDANCE_SIGNING_PASSPHRASE": "a passphrase alone"}, "no PKCS#12 file"),
    ({"ATTENDANCE_TRUST_DIR": "/nonexistent/trust"}, "does not exist"),
    ({"ATTENDANCE_ACTIVE_CONTENT": "forward"}, "refuse or remove"),
])
def test_bad_setting_stops_the_start(settings, says):
    done = start(settings)
    assert done.returncode != 0
    assert says in done.stderr


def test_wrong_passphrase_stops_the_start_without_printing_it(test_pki, tmp_path):
    p12 = tmp_path / "school.p12"
    p12.write_bytes(test_pki.school.pkcs12())
    done = start({"ATTENDANCE_SIGNING_PKCS12": str(p12), "ATTENDANCE_SIGNING_PASSPHRASE": "s3cret-wrong"})
    assert done.returncode != 0 and "wrong passphrase" in done.stderr
    assert "s3cret-wrong" not in done.stderr + done.stdout
    assert PASSPHRASE.decode() not in done.stderr + done.stdout
