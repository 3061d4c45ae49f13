"""Load shedding against a real gunicorn with lanes: 200 letters at once, those past the heavy lane's places
are refused at once with 503 conversion_queue_full and Retry-After, counted; none waits unbounded, and
/health keeps answering (issue 15, item 5)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time

import httpx
import pytest

from tests.conftest import family_case
from tests.conftest import running_gunicorn

pytestmark = [pytest.mark.e2e, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")]
BODY = json.dumps(family_case("holiday-two-children")).encode()
LETTER = "/api/v1/documents/leave-refusal?format=pdf"


async def burst(url: str, count: int) -> tuple[list[tuple[int, float, httpx.Headers, bytes]], list[float]]:
    limits = httpx.Limits(max_connections=count + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def one() -> tuple[int, float, httpx.Headers, bytes]:
            started = time.monotonic()
            response = await client.post(f"{url}{LETTER}", content=BODY,
                                         headers={"Content-Type": "application/json"})
            return response.status_code, time.monotonic() - started, response.headers, response.content

        async def health() -> list[float]:
            waits = []
            await asyncio.sleep(0.5)
            for _ in range(6):
                started = time.monotonic()
                assert (await client.get(f"{url}/health")).status_code == 200
                waits.append(time.monotonic() - started)
                await asyncio.sleep(0.3)
            return waits

        *letters, waits = await asyncio.gather(*(one() for _ in range(count)), health())
        return letters, waits


def test_two_hundred_letters_at_once_are_shed_past_the_queue_not_left_waiting():
    env = {"ATTENDANCE_CONVERSION_QUEUE": "2", "ATTENDANCE_HEAVY_WORKERS": "2"}  # 2 × (1 + 2) = 6 places
    with running_gunicorn(workers=2, env=env) as (url, _):
        assert httpx.post(f"{url}{LETTER}", content=BODY, headers={"Content-Type": "application/json"},
                          timeout=60).status_code == 200  # warm
        letters, waits = asyncio.run(burst(url, 200))
        shed = [(s, t, h, b) for s, t, h, b in letters if s == 503]
        made = [(s, t, h, b) for s, t, h, b in letters if s == 200]
        assert len(shed) + len(made) == 200, sorted({s for s, *_ in letters})
        # Before: all 200 waited in line (the slowest 8.8 s) and the busy path never fired.
        assert shed and made
        print(f"{len(shed)} shed, {len(made)} made; slowest shed {max(t for _, t, *_ in shed):.2f} s, "
              f"slowest made {max(t for _, t, *_ in made):.2f} s; /health {max(waits):.2f} s")
        assert max(t for _, t, *_ in letters) < 30  # bounded: no call waits behind all the others
        for _, _, headers, body in shed:
            assert headers["content-type"] == "application/problem+json"
            assert b'"conversion_queue_full"' in body and int(headers["retry-after"]) > 0
        for _, _, headers, body in made:
            assert headers["content-type"] == "application/pdf" and body.startswith(b"%PDF-")
        assert max(waits) < 1, waits
        metrics = httpx.get(f"{url}/metrics", timeout=10).text
        counted = re.search(r'^attendance_shed_total\{lane="heavy_lane"\} (\S+)$', metrics, re.MULTILINE)
        assert counted and float(counted.group(1)) == len(shed)
        assert f'attendance_failures_total{{code="conversion_queue_full"}} {float(len(shed))}' in metrics
        in_flight = re.search(r'^attendance_conversion_queue_depth\{lane="heavy_lane"\} (\S+)$', metrics, re.MULTILINE)
        assert in_flight and float(in_flight.group(1)) == 0  # every place given back
