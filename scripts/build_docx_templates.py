"""Build the letter templates (templates/docx/*.docx) from scripts/letter_texts.py.

Each Jinja tag is written inside one run, so Word-style run splitting cannot break it (style.md, traps).
A bilingual letter holds the Welsh version first, inside `{%p if welsh %}`, then the English.
Run: .venv/bin/python scripts/build_docx_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.text import WD_BREAK
from docx.shared import Mm
from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from letter_texts import BODIES  # noqa: E402
from letter_texts import CLOSING  # noqa: E402
from letter_texts import FOOTNOTES  # noqa: E402
from letter_texts import OPENING  # noqa: E402
from letter_texts import Block  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "templates" / "docx"
RECORD_ROWS = {
    "en": [
        ("Sessions possible", "possible"),
        ("Sessions attended", "present"),
        ("Authorised absence (sessions)", "authorised"),
        ("Unauthorised absence (sessions)", "unauthorised"),
        ("Attendance", "percent_text"),
        ("Figures as of", "as_of"),
    ],
}


def new_document() -> docx.Document:
    """Return an A4 document with the house style: Arial 11 pt, 20 mm margins."""
    document = docx.Document()
    section = document.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    style = document.styles["Normal"]
    style.font.name = "Liberation Sans"
    style.font.size = Pt(11)
    style.paragraph_format.space_after = Pt(6)
    document.core_properties.author = "attendance-paperwork"
    return document


def add(document: docx.Document, blocks: list[Block], language: str) -> None:
    """Write blocks as paragraphs, one run each."""
    for kind, text in blocks:
        if kind == "p":
            document.add_paragraph().add_run(text)
        elif kind == "b":
            document.add_paragraph().add_run(text).bold = True
        elif kind in ("if", "for"):
            document.add_paragraph().add_run(f"{{%p {kind} {text} %}}")
        elif kind in ("endif", "endfor"):
            document.add_paragraph().add_run(f"{{%p {kind} %}}")
        elif kind == "bullets":
            variable = text.split(" in ")[0]
            document.add_paragraph().add_run(f"{{%p for {text} %}}")
            document.add_paragraph(style="List Bullet").add_run(f"{{{{ {variable} }}}}")
            document.add_paragraph().add_run("{%p endfor %}")
        elif kind == "image":
            document.add_paragraph().add_run(f"{{{{ {language}.{text} }}}}")
        elif kind == "record":
            record_table(document, language)
        else:
            raise ValueError(f"unknown block kind {kind!r}")


def record_table(document: docx.Document, language: str) -> None:
    """Add the attendance-record table: one labelled row per figure."""
    rows = RECORD_ROWS[language]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, (label, key) in zip(table.rows, rows, strict=True):
        row.cells[0].paragraphs[0].add_run(label)
        row.cells[1].paragraphs[0].add_run(f"{{{{ record.{key} }}}}")


def letter(document_id: str, body_key: str) -> docx.Document:
    """Return one letter template: Welsh (when written) then English."""
    document = new_document()
    bodies = BODIES[body_key]
    notes = FOOTNOTES.get(document_id, {})
    if "cy" in bodies:
        document.add_paragraph().add_run("{%p if welsh %}")
        add(document, OPENING["cy"] + bodies["cy"] + CLOSING["cy"] + notes.get("cy", []), "cy")
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_paragraph().add_run("{%p endif %}")
    add(document, OPENING["en"] + bodies["en"] + CLOSING["en"] + notes.get("en", []), "en")
    return document


def main() -> None:
    """Write every template."""
    OUT.mkdir(parents=True, exist_ok=True)
    for key in BODIES:
        document_id = "leave-refusal" if key.startswith("leave-refusal") else key
        letter(document_id, key).save(OUT / f"{key}.docx")
        print(OUT / f"{key}.docx")


if __name__ == "__main__":
    main()
