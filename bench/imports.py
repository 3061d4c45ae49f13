"""Benchmark: a generated 1,500-pupil school with a full year of marks, imported and scanned (CTF and CSV),
and 100 Notices to Improve rendered as DOCX into the batch ZIP.

Run: .venv/bin/python bench/imports.py  (prints a table; targets: import + scan ≤ 2 s, 100 letters ≤ 3 s)
Then the same 100 letters as PDF, on one LibreOffice and on a pool of two (what `python -m service import
--format pdf` uses: one per CPU), side by side in one run, with their ratio and the load average.
Every pupil, contact and register is generated here (fictional): the CTF follows the DfE CTF element names.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import time
import zipfile
from datetime import date
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.engines import Engines  # noqa: E402
from service.imports import batch  # noqa: E402
from service.imports.marks import totals  # noqa: E402
from service.imports.run import answer  # noqa: E402
from service.imports.run import prepare  # noqa: E402
from service.imports.scan import run  # noqa: E402
from tests.imports.builders import COUNCIL_DEFAULTS  # noqa: E402
from tests.imports.builders import contact  # noqa: E402
from tests.imports.builders import ctf  # noqa: E402
from tests.imports.builders import pupil  # noqa: E402
from tests.imports.builders import upn  # noqa: E402
from tests.imports.builders import year_data  # noqa: E402

PUPILS = 1500
FIRST, LAST = date(2025, 9, 1), date(2026, 7, 24)
HOLIDAYS = [  # a Wiltshire-like 2025/26 calendar: half-terms, Christmas, Easter
    (date(2025, 10, 27), date(2025, 10, 31)),
    (date(2025, 12, 22), date(2026, 1, 2)),
    (date(2026, 2, 16), date(2026, 2, 20)),
    (date(2026, 3, 30), date(2026, 4, 10)),
    (date(2026, 5, 25), date(2026, 5, 29)),
]
BANK = {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4)}
FORENAMES = ["OLIVIA", "JACK", "AMELIA", "NOAH", "ISLA", "LEO", "ZOË", "SIÂN", "TOMASZ", "AOIFE", "RHYS", "MAYA"]
SURNAMES = ["ASHWORTH", "PEMBERTON", "WHITLOCK", "LANGDON", "Ó BRIAIN", "KOWALCZYK-REID", "PRYDDERCH", "OKAFOR"]


def school_days() -> list[date]:
    """Return the school days of the year (weekdays outside holidays and bank holidays; 3 Sep start)."""
    days, day = [], date(2025, 9, 3)
    while day <= date(2026, 7, 22):
        closed = day.weekday() >= 5 or day in BANK or any(a <= day <= b for a, b in HOLIDAYS)
        if not closed:
            days.append(day)
        day += timedelta(days=1)
    return days


def register(rng: random.Random, days: list[date], truant: bool) -> dict[date, str]:
    """Return one pupil's marks per school day: mostly present, some illness, some unauthorised."""
    out = {}
    for n, day in enumerate(days):
        late = n > len(days) - 50  # the last ten weeks
        roll = rng.random()
        if truant and late and roll < 0.25:
            out[day] = "NN" if roll < 0.17 else "O\\"
        elif roll < 0.03:
            out[day] = "II"
        elif roll < 0.035:
            out[day] = "/N"
        else:
            out[day] = "/\\"
    return out


def school() -> tuple[bytes, bytes, bytes]:
    """Return the school as a CTF, a CSV register (AM/PM rows) and a CSV pupil sheet."""
    rng = random.Random(2026)
    days = school_days()
    open_days = set(days)
    pupils, rows, sheet = [], ["UPN,Date,AM,PM"], ["UPN,Legal Surname,Legal Forename,DOB,Gender,Address 1,Town,Postcode,Contact 1 Name,Contact 1 Relationship,Contact 1 Parental Responsibility,Contact 1 Phone"]
    for n in range(1, PUPILS + 1):
        family = n // 2  # pairs of siblings share a parent
        forename, surname = rng.choice(FORENAMES), SURNAMES[family % len(SURNAMES)]
        marks = register(rng, days, truant=n % 10 == 0)
        string, day = [], FIRST
        while day <= LAST:
            string.append(marks[day] if day in open_days else "##")
            day += timedelta(days=1)
        mum = contact(f"PARENT{family}", surname, phone="07700 900123")
        home = f"{family} ORCHARD WAY"
        pupils.append(
            pupil(n, forename, surname, dob=f"201{n % 6 + 2}-0{n % 9 + 1}-1{n % 9}", contacts=(mum,),
                  years=(year_data(2025, *_totals("".join(string)), FIRST, "".join(string)),),
                  home=f"<Address><AddressLines><AddressLine1>{home}</AddressLine1><AddressLine2>TROWBRIDGE</AddressLine2></AddressLines><PostCode>BA14 8AB</PostCode></Address>")
        )
        rows += [f"{upn(n)},{d:%d/%m/%Y},{m[0]},{m[1]}" for d, m in marks.items()]
        sheet.append(f"{upn(n)},{surname},{forename},{2012 + n % 6}-0{n % 9 + 1}-1{n % 9},F,{home},TROWBRIDGE,BA14 8AB,PARENT{family} {surname},mother,Y,07700 900123")
    return ctf(pupils, stamp="2026-07-24T16:00:00"), "\n".join(rows).replace("\\", "\\").encode("utf-8"), "\n".join(sheet).encode("utf-8")


def _totals(string: str) -> tuple[int, int, int]:
    """Return the YearData counts a writer would send for a marks string: possible, authorised, unauthorised."""
    found = totals(string)
    return found.sessions_possible, found.authorised_absences, found.unauthorised_absences


def timed(fn, runs: int = 5) -> tuple[float, float, float]:
    """Return the best and the median wall time of `runs` calls, and the best CPU time, in seconds (on a
    shared 2-core machine the CPU time shows the work when other processes take turns on the cores)."""
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), statistics.median(walls), min(cpus)


def main() -> None:
    ctf_bytes, register_csv, pupils_csv = school()
    part = {**COUNCIL_DEFAULTS, "letter_date": "2026-07-23"}
    given, export = prepare("ctf", part, ctf_bytes)
    marks_count = sum(len(p.register.marks) - p.register.marks.count("#") - p.register.marks.count("-") for p in export.pupils)
    found = answer(export, run(export, given))
    eligible = [r for r in run(export, given) if "notice-to-improve" in r.row["documents_allowed"]][:100]
    rows = [
        ("CTF: parse", timed(lambda: prepare("ctf", part, ctf_bytes))),
        ("CTF: parse + scan (1,500 cases validated)", timed(lambda: answer(*_read("ctf", part, ctf_bytes)))),
        ("CSV: parse (AM/PM rows + pupil sheet)", timed(lambda: prepare("csv", part, register_csv, pupils_csv))),
        ("CSV: parse + scan", timed(lambda: answer(*_read("csv", part, register_csv, pupils_csv)))),
    ]
    engines = Engines()

    def letters() -> None:
        with batch.archive(eligible, "notice-to-improve", "docx", engines, given) as archive:
            assert len(zipfile.ZipFile(archive).namelist()) == len(eligible) + 1

    rows.append((f"{len(eligible)} Notices to Improve as DOCX, zipped", timed(letters)))
    rows += pdf_rows(eligible, given)
    print(f"{PUPILS} pupils, {marks_count:,} session marks; CTF {len(ctf_bytes) / 1e6:.1f} MB, "
          f"CSV {len(register_csv) / 1e6:.1f} MB + {len(pupils_csv) / 1e3:.0f} kB; "
          f"{sum(bool(r['documents_allowed']) for r in found['scan'])} pupils with a document allowed\n")
    print(f"| {'step':<48} | wall, best of 5 | wall, median | CPU, best |")
    print(f"| {'-' * 48} | --------------- | ------------ | --------- |")
    for name, (best, median, cpu) in rows:
        print(f"| {name:<48} | {best:13.2f} s | {median:10.2f} s | {cpu:7.2f} s |")
    one, two = rows[-2][1][1], rows[-1][1][1]
    print(f"\nPDF letters: a pool of two LibreOffices is {one / two:.2f}× one (medians); load average "
          f"{os.getloadavg()[0]:.2f} after the run, {os.cpu_count()} CPUs")


def pdf_rows(eligible: list, given) -> list:
    """Time the letters as PDF on one LibreOffice, then on a pool of two (each warm first), side by side."""
    from pypdf import PdfReader

    from service.engines.pool import ConverterPool

    rows = []
    for size in (1, 2):
        pool = ConverterPool(size)
        pool.warm_up()
        engines = Engines(converter=pool)

        def letters(engines=engines, size=size) -> None:
            with batch.archive(eligible, "notice-to-improve", "pdf", engines, given, size) as archive:
                zipped = zipfile.ZipFile(archive)
                pdfs = [n for n in zipped.namelist() if n.endswith(".pdf")]
                assert len(pdfs) == len(eligible)
                PdfReader(io.BytesIO(zipped.read(pdfs[-1])))  # whole and parsable

        try:
            label = "one LibreOffice" if size == 1 else f"a pool of {size} LibreOffices"
            rows.append((f"{len(eligible)} Notices to Improve as PDF, {label}", timed(letters, 3)))
        finally:
            pool.close()
    return rows


def _read(kind: str, part: dict, *files: bytes):
    given, export = prepare(kind, part, *files)
    return export, run(export, given)


if __name__ == "__main__":
    main()
