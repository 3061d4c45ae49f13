"""Build the letter templates (templates/docx/*.docx) from scripts/letter_texts.py.

Each Jinja tag is written inside one run, so Word-style run splitting cannot break it (style.md, traps).
A bilingual letter holds the Welsh version first, inside `{%p if welsh %}`, then the English.
Run: .venv/bin/python scripts/build_docx_templates.py

python-docx's default document carries Word's whole style gallery (styles.xml 350 KB, a 440 KB
stylesWithEffects.xml, latent styles, a thumbnail). LibreOffice parses all of it on every conversion: a
one-page letter took 110 ms to convert, 34 ms once only the styles the letter uses are left (bench/, issue
#16), with the same PDF, pixel for pixel. So each template is slimmed (`slim`) before it is written.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import docx
from docx.enum.text import WD_BREAK
from docx.shared import Mm
from docx.shared import Pt
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from letter_texts import BODIES  # noqa: E402
from letter_texts import CLOSING  # noqa: E402
from letter_texts import FOOTNOTES  # noqa: E402
from letter_texts import OPENING  # noqa: E402
from letter_texts import Block  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "templates" / "docx"
WORDML = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Parts Word writes that LibreOffice and Word do without: effects of Word 2010 and a page thumbnail.
UNNEEDED_PARTS = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg")
FIXED_DATE = (2026, 1, 1, 0, 0, 0)
STYLE_REFERENCE = re.compile(rb'<w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]+)"')
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


def slim(docx: bytes) -> bytes:
    """Return the DOCX without the parts nobody reads and with only the styles it uses (and the styles
    those are based on, linked to or followed by, and the defaults): what prints is unchanged."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist() if name not in UNNEEDED_PARTS}
    used = {
        match.decode()
        for name, xml in parts.items()
        if name.startswith("word/") and name.endswith(".xml") and name != "word/styles.xml"
        for match in STYLE_REFERENCE.findall(xml)
    }
    parts["word/styles.xml"] = _only_styles(parts["word/styles.xml"], used)
    unneeded = "|".join(re.escape(name.split("/")[-1]) for name in UNNEEDED_PARTS)
    parts["[Content_Types].xml"] = re.sub(
        rf'<Override PartName="/[^"]*(?:{unneeded})"[^>]*/>'.encode(), b"", parts["[Content_Types].xml"]
    )
    for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
        relation = rf'<Relationship [^>]*Target="[^"]*(?:{unneeded})"[^>]*/>'.encode()
        parts[rels] = re.sub(relation, b"", parts[rels])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():  # a fixed date: the same texts give the same template bytes
            archive.writestr(zipfile.ZipInfo(name, date_time=FIXED_DATE), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _only_styles(styles_xml: bytes, used: set[str]) -> bytes:
    """Return styles.xml keeping the document defaults, the default styles and what `used` needs."""
    root = etree.fromstring(styles_xml)
    w = f"{{{WORDML}}}"
    by_id = {style.get(f"{w}styleId"): style for style in root.iter(f"{w}style")}
    keep = set(used) | {sid for sid, style in by_id.items() if style.get(f"{w}default") == "1"}
    todo = list(keep)
    while todo:
        style = by_id.get(todo.pop())
        for tag in ("basedOn", "link", "next"):
            found = style.find(f"{w}{tag}") if style is not None else None
            if found is not None and (other := found.get(f"{w}val")) not in keep:
                keep.add(other)
                todo.append(other)
    for sid, style in by_id.items():
        if sid not in keep:
            root.remove(style)
    for latent in root.findall(f"{w}latentStyles"):
        root.remove(latent)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def main() -> None:
    """Write every template."""
    OUT.mkdir(parents=True, exist_ok=True)
    for key in BODIES:
        document_id = "leave-refusal" if key.startswith("leave-refusal") else key
        out = io.BytesIO()
        letter(document_id, key).save(out)
        (OUT / f"{key}.docx").write_bytes(slim(out.getvalue()))
        print(OUT / f"{key}.docx")


if __name__ == "__main__":
    main()
