"""Bad settings stop the start; without keys the service answers this machine only, whatever the bind."""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from service import security
from tests.conftest import ROOT
from tests.conftest import _free_port

pytestmark = pytest.mark.e2e


def gunicorn(env: dict[str, str], *args: str) -> subprocess.Popen:
    """Start gunicorn with the project's config, one worker, these settings; stdout and stderr together."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("ATTENDANCE_API_KEYS", "GUNICORN"))}
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--worker-tmp-dir", "/dev/shm", *args,
         "wsgi:app"],
        cwd=ROOT, env={**base, "ATTENDANCE_WORKERS": "1", "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def output_until(proc: subprocess.Popen, needle: str, seconds: float = 60) -> str:
    """Read the process's output until it holds `needle` (or it exits, or time runs out)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    seen = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and needle.encode() not in seen:
        if selector.select(timeout=0.5):
            chunk = os.read(fd, 65536)  # raw reads: a buffered reader would hide lines from select()
            if not chunk:
                break
            seen += chunk
    return seen.decode(errors="replace")


@contextlib.contextmanager
def stopped(proc: subprocess.Popen) -> Iterator[subprocess.Popen]:
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=60)
        if proc.stdout:
            proc.stdout.close()


def this_machines_network_address() -> str | None:
    """Return an address of this machine that is not loopback (no packet is sent), if it has one."""
    candidates = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        with contextlib.suppress(OSError):
            probe.connect(("10.255.255.255", 1))  # UDP: picks the outgoing interface, sends nothing
            candidates.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        candidates += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    return next((a for a in candidates if not security.is_loopback_peer(a)), None)


@pytest.mark.parametrize("setting", [",", " ", "# todo", "", ", ,\n# later"])
def test_a_keys_setting_with_no_key_stops_the_start(setting):
    with stopped(gunicorn({"ATTENDANCE_API_KEYS": setting, "ATTENDANCE_BIND": "0.0.0.0:1"})) as proc:
        assert proc.wait(timeout=60) != 0
        assert proc.stdout is not None
        out = proc.stdout.read()
    assert "not starting" in out and "ATTENDANCE_API_KEYS is set but holds no key" in out
    assert "Listening at" not in out


@pytest.mark.parametrize("content", ["", "\n\n", "# todo: add the school's key\n"])
def test_an_empty_keys_file_stops_the_start(tmp_path, content):
    keys = tmp_path / "keys"
    keys.write_text(content, encoding="utf-8")
    with stopped(gunicorn({"ATTENDANCE_API_KEYS_FILE": str(keys)})) as proc:
        assert proc.wait(timeout=60) != 0
        assert proc.stdout is not None
        assert "ATTENDANCE_API_KEYS_FILE is set but holds no key" in proc.stdout.read()


def test_a_missing_keys_file_stops_the_start(tmp_path):
    with stopped(gunicorn({"ATTENDANCE_API_KEYS_FILE": str(tmp_path / "absent")})) as proc:
        assert proc.wait(timeout=60) != 0
        assert proc.stdout is not None
        assert "cannot be read" in proc.stdout.read()


@pytest.mark.parametrize("how", ["-b", "GUNICORN_CMD_ARGS"])
def test_without_keys_a_network_bind_answers_this_machine_only(how):
    address = this_machines_network_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    port = _free_port()
    bind = f"0.0.0.0:{port}"
    args = ("-b", bind) if how == "-b" else ()
    env = {"GUNICORN_CMD_ARGS": f"--bind={bind}"} if how == "GUNICORN_CMD_ARGS" else {}
    with stopped(gunicorn(env, *args)) as proc:
        out = output_until(proc, "attendance: no API keys")
        assert f"listening on {bind}, but answering this machine only" in out
        assert "(this machine only)" not in out  # the old message, which was not true
        local = _wait_for(f"http://127.0.0.1:{port}/api/v1/councils")
        assert local.status_code == 200 and len(local.json()) >= 3
        remote = httpx.get(f"http://{address}:{port}/api/v1/councils", timeout=10)
        assert remote.status_code == 403
        assert remote.headers["content-type"] == "application/problem+json"
        assert remote.json()["code"] == "local_only"
        assert httpx.get(f"http://{address}:{port}/health", timeout=10).status_code == 403


def test_with_keys_the_start_message_names_the_bind():
    key = security.hash_key("a-long-random-key-0123456789")
    port = _free_port()
    with stopped(gunicorn({"ATTENDANCE_API_KEYS": f"school-a:{key}", "ATTENDANCE_BIND": f"127.0.0.1:{port}"})) as p:
        out = output_until(p, "attendance: 1 API key(s)")
        assert f"attendance: 1 API key(s) configured; listening on 127.0.0.1:{port}" in out


def _wait_for(url: str) -> httpx.Response:
    for _ in range(300):
        try:
            return httpx.get(url, timeout=10)
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def test_the_access_log_prints_the_route_rule_not_the_path_or_query():
    port = _free_port()
    with stopped(gunicorn({"ATTENDANCE_BIND": f"127.0.0.1:{port}"})) as proc:
        output_until(proc, "attendance: no API keys")
        url = f"http://127.0.0.1:{port}"
        _wait_for(f"{url}/health")
        httpx.get(f"{url}/api/v1/councils/fairweather-zoe?name=Fairweather", timeout=10)
        httpx.get(f"{url}/no/Fairweather", timeout=10)
        out = output_until(proc, '"GET unmatched', seconds=20)
    assert '"GET /api/v1/councils/<council_id> HTTP/1.1" 404' in out or '"GET /api/v1/councils/<council_id>" 404' in out
    assert '"GET unmatched' in out
    assert "Fairweather" not in out and "fairweather" not in out


def test_request_errors_name_no_path_or_query():
    from service.observability import scrub_request_error

    assert scrub_request_error("Error handling request %s %s", ("POST", "/api/v1/x?name=Fairweather")) == (
        "Error handling request %s (path and query not logged)", "POST")
    assert scrub_request_error("Worker (pid:%s) was sent SIGKILL!", (12,)) == (
        "Worker (pid:%s) was sent SIGKILL!", 12)


@pytest.mark.parametrize("budget", ["abc", "0", "nan", "58"])
def test_a_bad_request_budget_stops_the_start(budget):
    with stopped(gunicorn({"ATTENDANCE_REQUEST_BUDGET": budget})) as proc:
        assert proc.wait(timeout=60) != 0
        assert proc.stdout is not None
        out = proc.stdout.read()
    assert "not starting: ATTENDANCE_REQUEST_BUDGET" in out and "Listening at" not in out


@pytest.mark.parametrize("proxies", ["abc", "-1", "9"])
def test_a_bad_trusted_proxies_setting_stops_the_start(proxies):
    with stopped(gunicorn({"ATTENDANCE_TRUSTED_PROXIES": proxies})) as proc:
        assert proc.wait(timeout=60) != 0
        assert proc.stdout is not None
        out = proc.stdout.read()
    assert "not starting: ATTENDANCE_TRUSTED_PROXIES" in out and "Listening at" not in out


def test_behind_a_configured_proxy_the_csrf_cookie_is_secure():
    port = _free_port()
    env = {"ATTENDANCE_BIND": f"127.0.0.1:{port}", "ATTENDANCE_TRUSTED_PROXIES": "1"}
    with stopped(gunicorn(env)) as proc:
        output_until(proc, "attendance: no API keys")
        url = f"http://127.0.0.1:{port}"
        _wait_for(f"{url}/health")
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
        page = httpx.get(f"{url}/upload", headers=https, timeout=10)
        assert "Secure" in page.headers["set-cookie"] and "attendance_csrf=" in page.headers["set-cookie"]
        plain = httpx.get(f"{url}/upload", timeout=10)
        assert "Secure" not in plain.headers["set-cookie"]


@pytest.mark.parametrize("queue", ["abc", "-1", "1000"])
def test_a_bad_conversion_queue_setting_stops_the_start(queue):
    with stopped(gunicorn({"ATTENDANCE_CONVERSION_QUEUE": queue})) as proc:
        assert proc.wait(timeout=60) != 0
        assert proc.stdout is not None
        out = proc.stdout.read()
    assert "not starting: ATTENDANCE_CONVERSION_QUEUE" in out and "Listening at" not in out



@pytest.mark.parametrize(("name", "value"), [
    ("ATTENDANCE_WORKER_TIMEOUT", "abc"), ("ATTENDANCE_WORKERS", "0"), ("ATTENDANCE_HEAVY_WORKERS", "-2"),
    ("ATTENDANCE_THREADS", "1e3"), ("ATTENDANCE_API_KEYS", ","),
])
def test_a_bad_number_setting_stops_the_start_and_leaves_no_run_folder(name, value):
    with stopped(gunicorn({name: value})) as proc:
        assert proc.wait(timeout=60) != 0
        assert proc.stdout is not None
        out = proc.stdout.read()
    assert f"not starting: {name}" in out and "Traceback" not in out and "Listening at" not in out
    left = [n for n in os.listdir("/dev/shm") if n.startswith(f"attendance-run-{proc.pid}-")]
    assert left == []  # the metrics and engine-state folder made before the settings were read is gone


@pytest.mark.parametrize(("cpus", "heavy"), [(1, 2), (2, 2), (6, 6)])
def test_the_heavy_lane_has_a_converting_worker_per_cpu(cpus, heavy):
    # Conversion is CPU-bound: a fixed 2 left a bigger machine's CPUs idle behind a full conversion queue.
    read = (f"import multiprocessing, runpy; multiprocessing.cpu_count = lambda: {cpus}; "
            "print(runpy.run_path('gunicorn.conf.py')['HEAVY_WORKERS'])")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENDANCE_")} | {"ATTENDANCE_LANE": "heavy"}
    done = subprocess.run([sys.executable, "-c", read], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    assert done.stdout.split()[-1] == str(heavy)
