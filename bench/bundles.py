"""Benchmark: a Wiltshire bundle (PN3 and uploaded attachments) and a Dorset bundle (form, certificate, letter).

Run: .venv/bin/python bench/bundles.py   (the Dorset row needs LibreOffice; it is warmed up first)
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from timing import timed  # noqa: E402

from service import bundles  # noqa: E402
from service.assessment import evaluate  # noqa: E402
from service.engines import Engines  # noqa: E402
from tests.conftest import certificate_pdf  # noqa: E402
from tests.conftest import make_pdf  # noqa: E402


def attach(data: dict, *items: tuple[str, bytes]) -> dict:
    data["attachments"] = [{"kind": k, "filename": f"{k}.pdf", "content_base64": base64.b64encode(c).decode()}
                           for k, c in items]
    return data


def build(data: dict, engines: Engines) -> None:
    bundles.build(evaluate(data), engines, key=b"bench").close()


def main() -> None:
    engines = Engines.default() if hasattr(Engines, "default") else Engines()
    example = lambda name: json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))  # noqa: E731
    wiltshire = attach(example("wiltshire-holiday"), ("attendance_certificate", certificate_pdf("Fairweather, Zoë")),
                       ("attendance_certificate", certificate_pdf("Fairweather, Alfie")),
                       ("leave_request_form", make_pdf(["Leave request"])), ("refusal_letter", make_pdf(["Refused"])))
    rows = [("wiltshire: PN3 + 4 uploaded PDFs", *timed(lambda: build(wiltshire, engines), 50))]
    dorset = attach(example("dorset-holiday-separated"),
                    ("attendance_certificate", certificate_pdf("O'Connor-Hughes, Siân", "16/11/2026")),
                    ("holiday_letter", make_pdf(["The absence has not been authorised."])))
    # A bundle never makes up the letter that was sent (issue 11): the Dorset row uploads it.
    rows.append(("dorset: form + certificate + holiday letter as sent", *timed(lambda: build(dorset, engines), 20)))
    print(f"{'bundle':<66} {'median ms':>10} {'p95 ms':>8}")
    for name, median, p95 in rows:
        print(f"{name:<66} {median:>10.1f} {p95:>8.1f}")


if __name__ == "__main__":
    main()
