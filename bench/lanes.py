"""Lanes: cheap calls (validate, PN3) under the 16-client mix against their p95 alone, in one run.

Run: .venv/bin/python bench/lanes.py [--seconds 20] [--clients 16] [--layouts lanes,single] [--repeats 2]
                                     [--record]

For each layout (`lanes`: README's default, the front's threads answering cheap calls and the heavy lane's
workers making letters and bundles; `single`: ATTENDANCE_LANES=off, one pool of sync workers as before)
it starts gunicorn, runs `--clients` clients of validate and PN3 only, then the same clients on the whole
mix of bench/load.py (validate, PN3, a PDF letter, a bundle), every response checked in full, and reports
the p95 of validate and PN3 in each and their ratio (target ≤ 2× with lanes), and the failed requests.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402

HEADING = "## Lanes: cheap calls alone and under the mix (bench/lanes.py)"
CHEAP = ("validate", "pn3")


def measure(layout: str, clients: int, seconds: float, repeats: int = 2) -> dict[str, float]:
    """Return p95s alone and mixed, and the failures, for one layout."""
    os.environ["ATTENDANCE_LANES"] = "off" if layout == "single" else "on"
    calls = load.mix()
    with load.serve(2) as server:
        problems = load.preflight(server.url, calls)
        assert not problems, problems
        cheap = [c for c in calls if c.kind in CHEAP]
        alone, mixed, wall = [], [], 0.0
        for _ in range(repeats):  # alone, mixed, alone, mixed: a load that drifts weighs on both alike
            alone += load.run_load(server.url, cheap, clients, seconds)[0]
            outcomes, took = load.run_load(server.url, calls, clients, seconds)
            mixed, wall = mixed + outcomes, wall + took
    found: dict[str, float] = {"failed": sum(o.result != "ok" for o in alone + mixed), "rps": len(mixed) / wall}
    for kind in CHEAP:
        found[f"{kind}_alone"] = load.percentile([o.ms for o in alone if o.kind == kind], 95)
        found[f"{kind}_mixed"] = load.percentile([o.ms for o in mixed if o.kind == kind], 95)
    for kind in ("letter", "bundle"):
        found[f"{kind}_mixed"] = load.percentile([o.ms for o in mixed if o.kind == kind], 95)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--layouts", default="lanes,single")
    parser.add_argument("--repeats", type=int, default=2, help="alone/mixed phases, alternated")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    before = os.getloadavg()
    results = {
        layout: measure(layout, args.clients, args.seconds, args.repeats) for layout in args.layouts.split(",")
    }
    after = os.getloadavg()
    lines = [
        HEADING,
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, {args.clients} clients, "
        f"{args.seconds:g} s a phase, alone and mixed alternated {args.repeats} times; load average "
        f"{before[0]:.2f} before, {after[0]:.2f} after.",
        "",
        "| layout | validate p95 alone / mixed | ratio | PN3 p95 alone / mixed | ratio | letter p95 | bundle p95 "
        "| mix requests/s | failed requests |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for layout, r in results.items():
        lines.append(
            f"| {layout} | {r['validate_alone']:.0f} / {r['validate_mixed']:.0f} ms | "
            f"{r['validate_mixed'] / r['validate_alone']:.2f}× | {r['pn3_alone']:.0f} / {r['pn3_mixed']:.0f} ms | "
            f"{r['pn3_mixed'] / r['pn3_alone']:.2f}× | {r['letter_mixed']:.0f} ms | {r['bundle_mixed']:.0f} ms | "
            f"{r['rps']:.1f} | {r['failed']:.0f} |"
        )
    lines += ["", "Target with lanes: both ratios ≤ 2×, no failed request.", ""]
    print("\n".join(lines))
    if args.record:
        from jobs import record

        record(HEADING, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
