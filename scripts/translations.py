"""Keep the pages' Welsh catalogue in step with the templates and code: extract, update, compile.

    .venv/bin/python scripts/translations.py          # extract + update messages.po + compile messages.mo
    .venv/bin/python scripts/translations.py --check  # exit 1 when a string has no Welsh or the .mo is stale

The compiled catalogue is committed (like the vendored GOV.UK assets), so the service needs no build step;
tests/web/test_language.py fails when a page string has no Welsh or the .mo does not match the .po.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "service" / "web" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "cy" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PYBABEL = str(Path(sys.executable).with_name("pybabel"))


def extract(target: Path = POT) -> None:
    """Write the template catalogue from the pages' templates and code (`_`, `_l`, `gettext`)."""
    subprocess.run(
        [
            PYBABEL,
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "--no-location",
            "--omit-header",
            "--sort-output",
            "-o",
            str(target),
            "service/web",
            "templates/web",
        ],
        cwd=ROOT,
        check=True,
    )


def compiled() -> bytes:
    """Return the .mo the .po compiles to (fuzzy entries left out)."""
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="cy")
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def untranslated(pot: Path = POT) -> list[str]:
    """Return the extracted strings that have no Welsh (or only a fuzzy one)."""
    with pot.open("rb") as handle:
        wanted = read_po(handle)
    with PO.open("rb") as handle:
        welsh = read_po(handle, locale="cy")
    missing = []
    for message in wanted:
        if not message.id:
            continue
        found = welsh.get(message.id)
        strings = found.string if found else None
        texts = strings if isinstance(strings, tuple) else (strings,)
        if found is None or found.fuzzy or not all(texts):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main() -> int:
    if "--check" in sys.argv:
        with tempfile.TemporaryDirectory() as folder:
            pot = Path(folder) / "messages.pot"
            extract(pot)
            missing = untranslated(pot)
        stale = not MO.exists() or MO.read_bytes() != compiled()
        for text in missing:
            print(f"no Welsh: {text!r}")
        if stale:
            print(f"{MO.relative_to(ROOT)} is stale: run scripts/translations.py")
        return 1 if missing or stale else 0
    extract()
    if PO.exists():
        subprocess.run(
            [
                PYBABEL,
                "-q",
                "update",
                "-i",
                str(POT),
                "-d",
                str(TRANSLATIONS),
                "-l",
                "cy",
                "--no-fuzzy-matching",
            ],
            check=True,
        )
    else:
        subprocess.run(
            [PYBABEL, "-q", "init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", "cy"], check=True
        )
    MO.write_bytes(compiled())
    missing = untranslated()
    print(f"{len(missing)} strings without Welsh")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
