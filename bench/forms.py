"""Benchmark: filling each council form in-process (the service's engine vs naive pypdf) and over HTTP.

Run: .venv/bin/python bench/forms.py  (starts its own gunicorn on 127.0.0.1; prints a table)
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import httpx  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from pypdf import PdfWriter  # noqa: E402
from timing import timed  # noqa: E402

from service import forms  # noqa: E402
from service.assessment import evaluate  # noqa: E402
from service.documents import produce  # noqa: E402
from service.documents import sheets  # noqa: E402
from service.engines import Engines  # noqa: E402
from service.validation import validate  # noqa: E402

CASES = {"pn3": "wiltshire-holiday", "dorset-holiday": "dorset-holiday-separated",
         "dorset-warning": "dorset-warning-irregular"}
RUNS = 300


def naive(form: forms.PdfForm, values: dict[str, str | bool]) -> bytes:
    """The usual pypdf path: open the template, fill, write."""
    writer = PdfWriter(clone_from=PdfReader(form.template_path))
    text = {k: v for k, v in values.items() if isinstance(v, str)}
    writer.update_page_form_field_values(writer.pages[0], text, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> None:
    engines = Engines()
    rows = []
    for doc_id, name in CASES.items():
        data = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
        form = forms.get(doc_id)
        report, case = validate(data, doc_id)
        values = {k: v.text for k, v in form.fields(sheets(form, case, report, case.letter_date)[0]).items()}
        rows.append((doc_id, "naive pypdf (open, fill, write)", *timed(lambda: naive(form, values), 50)))
        rows.append((doc_id, "engine fill only", *timed(lambda: engines.pdf_filler.fill(form.template_path, values))))
        rows.append((doc_id, "engine fill, flatten", *timed(
            lambda: engines.pdf_filler.fill(form.template_path, values, flatten=True))))
        rows.append((doc_id, "produce (validate + rules + fill)", *timed(lambda: produce(doc_id, evaluate(data), engines))))
    rows += over_http()
    print(f"{'document':<16} {'path':<40} {'median ms':>10} {'p95 ms':>8}")
    for doc_id, path, median, p95 in rows:
        print(f"{doc_id:<16} {path:<40} {median:>10.2f} {p95:>8.2f}")


def over_http() -> list[tuple[str, str, float, float]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "ATTENDANCE_BIND": f"127.0.0.1:{port}", "ATTENDANCE_WORKERS": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(100):
                try:
                    client.get("/health")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            for doc_id, name in CASES.items():
                body = (ROOT / "examples" / f"{name}.json").read_bytes()

                def post(doc_id=doc_id, body=body) -> None:
                    r = client.post(f"/api/v1/documents/{doc_id}", content=body,
                                    headers={"Content-Type": "application/json"})
                    assert r.status_code == 200, r.text

                rows.append((doc_id, "HTTP POST /documents (gunicorn, 1 client)", *timed(post, 200)))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return rows


if __name__ == "__main__":
    main()
