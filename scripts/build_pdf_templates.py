"""Build the fillable A4 penalty-notice request forms in templates/pdf/ with reportlab.

No form prints a council's facts from here: what a council's own form says about its council (name,
department, route, the Cc to ask for, deadline, contact e-mail and phone) is a read-only field in the
form's own place and type size, filled from the council's data file each time the form is filled
(service/forms/<form>.py). So a corrected or added file (ATTENDANCE_COUNCILS_DIR) changes the printed
fact with no rebuild; the generic request's council facts are fields too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.colors import Color
from reportlab.lib.colors import black
from reportlab.lib.colors import white
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfdoc import PDFString
from reportlab.pdfgen.canvas import Canvas

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "templates" / "pdf"
PAGE_W, PAGE_H = A4
LEFT, WIDTH, GUTTER = 58, 480, 16
RIGHT = LEFT + WIDTH
COL = (WIDTH - GUTTER) // 2
TOP, BOTTOM, FOOTER_Y = 806, 40, 24

REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
LABEL_SIZE, LABEL_LEAD = 8, 10
NOTE_SIZE, NOTE_LEAD = 8, 10
FIELD_FONT_SIZE = 10
LINE_BOX, MULTI_LINE_BOX = 18, 12
ROW_GAP = 5
CHECK_SIZE = 10
MULTILINE_FLAG = 1 << 12
READ_ONLY = 1

GREY = Color(0.55, 0.55, 0.55)
BAND = Color(0.9, 0.9, 0.9)
INK = Color(0.15, 0.15, 0.15)

Field = tuple[str, str]  # (printed label, AcroForm field name)


@dataclass(frozen=True)
class Row:
    """One block of a form: kind decides how items/text are laid out."""

    kind: str  # fields | half | checks | bullets | note | bold | heading | title | fact | break
    items: tuple[Field, ...] = ()
    text: str = ""
    lines: int = 1  # text lines per box; more than 1 makes the field multiline
    indent: int = 0


@dataclass(frozen=True)
class Form:
    filename: str
    heading: tuple[str, str, str]  # council, service, form title (a council's own form: its title only)
    rows: tuple[Row, ...]
    corner: Field | None = None  # small field top-right of the heading block
    council_heading: bool = False  # the council's name and department are fields (its own form)

    @property
    def footer(self) -> str:
        return self.heading[2] if self.council_heading else f"{self.heading[0]} – {self.heading[2]}"


def fields(*items: Field, lines: int = 1, caption: str = "") -> Row:
    return Row("fields", items, caption, lines)


def half(item: Field, lines: int = 1) -> Row:
    return Row("half", (item,), "", lines)


def note(text: str) -> Row:
    return Row("note", text=text)


def bold(text: str) -> Row:
    return Row("bold", text=text)


def heading(text: str) -> Row:
    return Row("heading", text=text)


def title(text: str) -> Row:
    return Row("title", text=text)


def checks(*items: Field) -> Row:
    return Row("checks", items)


def bullets(*texts: str) -> Row:
    return Row("bullets", tuple((text, "") for text in texts))


def fact(name: str, size: float, lines: int = 1, indent: int = 0) -> Row:
    """A council's fact printed in the form's text (a read-only field without a frame), in `size` points:
    `lines` lines of room, so that a longer fact from a corrected file still fits."""
    return Row("fact", (("", name),), str(size), lines, indent)


PAGE_BREAK = Row("break")

SEE_CHECKLIST = "*Please refer to checklist on page 2 before submitting form"


def own(title: str) -> tuple[str, str, str]:
    """Return a council's own form's heading: its name and department are fields, filled from its data."""
    return ("", "", title)


def pn3() -> Form:
    return Form(
        "pn3.pdf",
        own(
            "PN3 – SCHOOL NOTIFICATION OF UNAUTHORISED LEAVE OF ABSENCE"
            " (10 sessions of holiday in term-time)",
        ),
        (
            fields(
                ("FULL NAME OF PARENT (1):", "parent1_name"),
                ("FULL NAME OF PARENT (2):", "parent2_name"),
            ),
            fields(("ADDRESS (1):", "parent1_address"), ("ADDRESS (2):", "parent2_address"), lines=3),
            fields(("POSTCODE:", "parent1_postcode"), ("POSTCODE:", "parent2_postcode")),
            fields(("NAME OF PUPIL:", "pupil1_name"), ("DOB:", "pupil1_dob")),
            fields(("NAME OF PUPIL:", "pupil2_name"), ("DOB:", "pupil2_dob")),
            fields(("ADDRESS OF PUPIL(S):", "pupils_address"), lines=3),
            half(("POSTCODE:", "pupils_postcode")),
            fields(("WHO DOES THE PUPIL/S LIVE WITH?", "lives_with")),
            fields(
                (
                    "WHICH PARENT IS RESPONSIBLE FOR THE LEAVE OF ABSENCE"
                    " (Who took the pupil out of school?)",
                    "responsible_parent",
                )
            ),
            fields(
                (
                    "IN THE CASE OF SEPARATED PARENTS ARE YOU AWARE OF ANY ORDERS IN PLACE PREVENTING"
                    " PARENTS/CARERS RECEIVING INFORMATION ABOUT THEIR CHILDREN?",
                    "court_orders",
                ),
                lines=2,
            ),
            fields(("SCHOOL:", "school")),
            fields(
                ("FROM:", "period_from"),
                ("TO:", "period_to"),
                caption="PERIOD OF UNAUTHORISED LEAVE OF ABSENCE:",
            ),
            fields(("HEADTEACHER:", "headteacher"), ("AUTHORISED BY PNO:", "authorised_by_pno")),
            fields(("SIGNED:", "signed"), ("DATE:", "date")),
            heading("PLEASE ATTACH COPIES OF:"),
            checks(
                ("1. Attendance certificate showing unauthorised absence", "attach_certificate"),
                ("2. Leave of Absence Request Form.", "attach_leave_request"),
                (
                    "3. Letter to parent stating that the absence has not been authorised OR",
                    "attach_refusal_letter",
                ),
                (
                    "4. Where parents have not applied for Leave of Absence in advance a letter to the"
                    " parent stating that the absence has not been authorised as it is believed that"
                    " the child was on holiday.",
                    "attach_holiday_letter",
                ),
            ),
            bold("PLEASE NOTE - NOTIFICATIONS CANNOT BE PROCESSED WITHOUT THESE"),
        ),
        corner=("Sheet", "sheet"),
        council_heading=True,
    )


def dorset_checklist() -> tuple[Row, ...]:
    return (
        PAGE_BREAK,
        title("Attendance Penalty Notices Checklist"),
        bullets("Is this the most up to date address for the family? (Please check if unsure)"),
        # "Ensure inclusion lead has been CC'd into email." where the council asks for the Cc (its data).
        fact("cc_reminder", 10, indent=4),
        bullets(
            "Check personal information is correct i.e DOB & surname spelt correctly.",
            "Please attach an up-to-date attendance certificate.",
            "Please can you send the request form & attendance certificate and any other"
            " information as separate PDF Documents on one email.",
            "If sending in multiple requests, please ensure all documents are separated"
            " and named accordingly.",
            "All attendance certificates need to show the pupil's name.",
            "A penalty notice cannot be issued to a child under the age of 5 years old, for further"
            " information please visit: School admissions: School starting age - GOV.UK (www.gov.uk)",
        ),
        fact("council_contact", NOTE_SIZE, lines=2),
    )


def dorset_holiday() -> Form:
    return Form(
        "dorset-holiday.pdf",
        own("Request for Penalty Notice – Holiday"),
        (
            half(("Date:", "date")),
            fact("deadline", 9, lines=2),
            note(
                "Please send the following supporting documents with this request: - Current"
                " Attendance certificate (mandatory), Holiday request form if completed by parent(s)"
                " & Communication from school to parent(s) advising holiday not authorised."
            ),
            bold("WE WILL ONLY PROCEED IF WE HAVE THESE DOCUMENTS."),
            fields(("School:", "school")),
            fields(("Name of Pupil:", "pupil_name")),
            fields(("Address:", "pupil_address"), lines=3),
            half(("Date of Birth / Gender:", "pupil_dob_gender")),
            fields(("Parent 1: Full name", "parent1_name"), ("Parent 2: Full name", "parent2_name")),
            fields(
                ("Parent 1: Address", "parent1_address"),
                ("Parent 2: Address", "parent2_address"),
                lines=3,
            ),
            fields(
                ("Parent 1: Tel No (if available)", "parent1_phone"),
                ("Parent 2: Tel No (if available)", "parent2_phone"),
            ),
            note(
                "If there are two parents with parental responsibility who you wish the Penalty Notice"
                " to go to and they are not at the same address, please provide full details of both"
                " their addresses."
            ),
            note("Please also indicate which parent the child usually lives with."),
            fields(("Which parent the child usually lives with", "lives_with")),
            fields(("School contact (Name & Tel Number)", "school_contact")),
            fields(("Any other information", "other_information"), lines=5),
            fact("submit_to", 9, lines=2),
            note(SEE_CHECKLIST),
            *dorset_checklist(),
        ),
        council_heading=True,
    )


def dorset_warning() -> Form:
    return Form(
        "dorset-warning.pdf",
        own("Request for Penalty Notice Warning"),
        (
            half(("Date", "date")),
            fields(("School:", "school")),
            fields(("Name of pupil:", "pupil_name")),
            half(("Date of birth:", "pupil_dob")),
            fields(("Parent 1: Full name", "parent1_name"), ("Parent 2: Full name", "parent2_name")),
            fields(
                ("Parent 1: Address", "parent1_address"),
                ("Parent 2: Address", "parent2_address"),
                lines=3,
            ),
            fields(("School contact (Name & Tel Number)", "school_contact")),
            fields(("Inset days (Please note any upcoming inset days)", "inset_days"), lines=2),
            fields(("Social Worker", "social_worker"), lines=2),
            fields(("Any other information?", "other_information"), lines=5),
            fact("submit_to", NOTE_SIZE, lines=2),
            note(SEE_CHECKLIST),
            *dorset_checklist(),
        ),
        council_heading=True,
    )


# The questions every published request asks (councils/published-processes.md: Kent, Oxfordshire,
# Lancashire and the councils' own lists): the council's facts are fields, filled from its data per case.
GENERIC = Form(
    "generic-request.pdf",
    (
        "Request for a penalty notice",
        "School attendance: a school's request to the local authority",
        "THE COUNCIL, AND WHERE THIS REQUEST GOES",
    ),
    (
        fields(("COUNCIL:", "council_name"), ("SEND TO:", "submit_to"), lines=2),
        fields(("COUNCIL TEAM TELEPHONE:", "council_phone"), ("SEND WITHIN:", "deadline"), lines=2),
        fields(("RULES APPLIED, AND THEIR SOURCE:", "rules_applied"), lines=2),
        heading("THE PUPIL(S)"),
        fields(("NAME, DATE OF BIRTH, GENDER, YEAR GROUP AND UPN OF EACH PUPIL:", "pupils"), lines=4),
        fields(
            ("ADDRESS OF PUPIL(S):", "pupils_address"),
            ("WHO DOES THE PUPIL/S LIVE WITH?", "lives_with"),
            lines=3,
        ),
        heading("EVERY PARENT WITH PARENTAL RESPONSIBILITY"),
        fields(
            ("NAME, RELATIONSHIP AND ADDRESS OF EACH, AND WHO TOOK THE PUPIL OUT OF SCHOOL:", "parents"),
            lines=6,
        ),
        heading("THE ABSENCE"),
        fields(("FROM:", "period_from"), ("TO:", "period_to")),
        # Each pupil's own sessions by code, a line each for a sheet's 4 pupils (generic_request._codes).
        fields(
            ("TYPE OF ABSENCE:", "absence_type"),
            ("UNAUTHORISED SESSIONS, BY CODE:", "sessions_codes"),
            lines=4,
        ),
        fields(("THRESHOLD, AS THE COUNCIL COUNTS IT:", "threshold"), lines=2),
        fields(("LEAVE OF ABSENCE REQUEST AND THE SCHOOL'S DECISION:", "leave_request"), lines=2),
        PAGE_BREAK,
        heading("THE SCHOOL'S ACTIONS"),
        fields(("SUPPORT OFFERED, WARNINGS AND NOTICES TO IMPROVE SO FAR:", "school_actions"), lines=5),
        # A line for each liable parent and each child: a sheet's 4 pupils with both parents liable, and one
        # to spare (generic_request.pupils_per_sheet).
        fields(
            ("PENALTY NOTICES REQUESTED (ONE FOR EACH LIABLE PARENT, FOR EACH CHILD):", "notices"), lines=9
        ),
        fields(("ATTACHMENTS ENCLOSED (THE COUNCIL'S CHECKLIST):", "attachments"), lines=6),
        fields(("ANY OTHER INFORMATION:", "other_information"), lines=4),
        fields(
            ("SCHOOL:", "school"), ("SCHOOL CONTACT (NAME, TELEPHONE, E-MAIL):", "school_contact"), lines=2
        ),
        fields(("HEADTEACHER:", "headteacher"), ("SIGNED:", "signed")),
        half(("DATE:", "date")),
    ),
    corner=("Sheet", "sheet"),
)

# Each council's own form: its layout here, its council's facts filled from the council's data.
OWN_FORMS: dict[str, Callable[[], Form]] = {
    "pn3": pn3,
    "dorset-holiday": dorset_holiday,
    "dorset-warning": dorset_warning,
}


def forms() -> tuple[Form, ...]:
    """Return every form: each council's own form, and the generic request."""
    return (*(make() for make in OWN_FORMS.values()), GENERIC)


def box_height(lines: int) -> int:
    return LINE_BOX if lines == 1 else lines * MULTI_LINE_BOX + 4


def text_field(
    c: Canvas, name: str, tooltip: str, rect: tuple[float, float, float, float], lines: int
) -> None:
    x, y, w, h = rect
    c.acroForm.textfield(
        name=name,
        tooltip=tooltip,
        x=x,
        y=y,
        width=w,
        height=h,
        fontName=REGULAR,
        fontSize=FIELD_FONT_SIZE,
        maxlen=0,
        fieldFlags="multiline" if lines > 1 else "",
        borderColor=GREY,
        fillColor=white,
        textColor=black,
        borderWidth=0.75,
    )


def fact_field(
    c: Canvas, name: str, rect: tuple[float, float, float, float], size: float, lines: int
) -> None:
    """A council's fact: read-only, no frame or background, in the type size of the text it stands in."""
    x, y, w, h = rect
    c.acroForm.textfield(
        name=name,
        tooltip=f"The council's {name.replace('_', ' ')} (from its data)",
        x=x,
        y=y,
        width=w,
        height=h,
        fontName=REGULAR,
        fontSize=size,
        maxlen=0,
        fieldFlags="readOnly multiline" if lines > 1 else "readOnly",
        borderColor=None,
        fillColor=None,
        textColor=black,
        borderWidth=0,
    )


def fact_height(size: float, lines: int) -> float:
    """Return a fact's box: its lines at the filler's leading, and the filler's padding."""
    return lines * size * 1.15 + 4 + (size * 0.2 if lines == 1 else 0)


def draw_fact(c: Canvas, row: Row, top: float) -> float:
    (_, name), size = row.items[0], float(row.text)
    h = fact_height(size, row.lines)
    fact_field(c, name, (LEFT + row.indent - 2, top - h, WIDTH - row.indent + 2, h), size, row.lines)
    return top - h - ROW_GAP


def checkbox(c: Canvas, name: str, tooltip: str, x: float, y: float) -> None:
    c.acroForm.checkbox(
        name=name,
        tooltip=tooltip,
        x=x,
        y=y,
        size=CHECK_SIZE,
        buttonStyle="check",
        borderColor=GREY,
        fillColor=white,
        textColor=black,
        borderWidth=0.75,
        fieldFlags="",
    )


def write_lines(c: Canvas, lines: list[str], x: float, top: float, font: tuple[str, float, float]) -> float:
    """Draw lines with their first baseline just under top; return the y below the last line."""
    name, size, lead = font
    c.setFont(name, size)
    for i, line in enumerate(lines):
        c.drawString(x, top - size - i * lead, line)
    return top - len(lines) * lead


def draw_heading_block(c: Canvas, form: Form) -> float:
    council, service, form_title = form.heading
    c.setFillColor(black)
    if form.council_heading:
        # The council's name (16 pt) and department (11 pt): fields, filled from its data.
        width = WIDTH - (150 if form.corner else 0)
        fact_field(c, "council_name", (LEFT - 2, TOP - 21, width, 22), 16, 1)
        fact_field(c, "council_department", (LEFT - 2, TOP - 37, width, 16), 11, 1)
    else:
        c.setFont(BOLD, 16)
        c.drawString(LEFT, TOP - 16, council)
        c.setFont(REGULAR, 11)
        c.drawString(LEFT, TOP - 32, service)
    if form.corner:
        draw_corner_field(c, *form.corner)
    return draw_band(c, form_title, TOP - 42)


def draw_band(c: Canvas, title: str, top: float) -> float:
    """Draw a shaded title band, any "(...)" part on its own line; return the y below it."""
    main, paren, rest = title.partition(" (")
    lines = simpleSplit(main, BOLD, 12, WIDTH - 16)
    extra = [f"({rest}"] if paren else []
    band_h = (len(lines) + len(extra)) * 14 + 10
    c.setFillColor(BAND)
    c.rect(LEFT, top - band_h, WIDTH, band_h, stroke=0, fill=1)
    c.setFillColor(black)
    y = write_lines(c, lines, LEFT + 8, top - 5, (BOLD, 12, 14))
    write_lines(c, extra, LEFT + 8, y, (REGULAR, 11, 14))
    return top - band_h - 10


def draw_corner_field(c: Canvas, label: str, name: str) -> None:
    w = 70
    c.setFont(BOLD, LABEL_SIZE)
    c.drawRightString(RIGHT - w - 6, TOP - 13, label)
    text_field(c, name, label, (RIGHT - w, TOP - LINE_BOX, w, LINE_BOX), 1)


def draw_fields(c: Canvas, row: Row, top: float) -> float:
    if row.text:
        top = write_lines(c, [row.text], LEFT, top, (BOLD, LABEL_SIZE, LABEL_LEAD)) - 3
    width = WIDTH if len(row.items) == 1 and row.kind == "fields" else COL
    labels = [simpleSplit(label, BOLD, LABEL_SIZE, width) for label, _ in row.items]
    label_h = max(len(lines) for lines in labels) * LABEL_LEAD + 2
    h = box_height(row.lines)
    for i, ((label, name), lines) in enumerate(zip(row.items, labels, strict=True)):
        x = LEFT + i * (COL + GUTTER)
        c.setFillColor(INK)
        write_lines(c, lines, x, top, (BOLD, LABEL_SIZE, LABEL_LEAD))
        tooltip = f"{row.text} {label}" if row.text else label
        text_field(c, name, tooltip, (x, top - label_h - h, width, h), row.lines)
    return top - label_h - h - ROW_GAP


def draw_checks(c: Canvas, row: Row, top: float) -> float:
    indent = CHECK_SIZE + 8
    for label, name in row.items:
        lines = simpleSplit(label, REGULAR, 9, WIDTH - indent)
        checkbox(c, name, label, LEFT, top - CHECK_SIZE)
        c.setFillColor(black)
        top = write_lines(c, lines, LEFT + indent, top + 0.5, (REGULAR, 9, 11)) - 4
    return top - 2


def draw_bullets(c: Canvas, row: Row, top: float) -> float:
    c.setFillColor(black)
    for label, _ in row.items:
        lines = simpleSplit(label, REGULAR, 10, WIDTH - 16)
        write_lines(c, ["•"], LEFT + 4, top, (REGULAR, 10, 13))
        top = write_lines(c, lines, LEFT + 16, top, (REGULAR, 10, 13)) - 6
    return top - ROW_GAP


def text_drawer(font: tuple[str, float, float], after: float) -> Callable[[Canvas, Row, float], float]:
    def draw(c: Canvas, row: Row, top: float) -> float:
        c.setFillColor(black)
        lines = simpleSplit(row.text, font[0], font[1], WIDTH)
        return write_lines(c, lines, LEFT, top, font) - after

    return draw


DRAWERS: dict[str, Callable[[Canvas, Row, float], float]] = {
    "fields": draw_fields,
    "half": draw_fields,
    "checks": draw_checks,
    "bullets": draw_bullets,
    "note": text_drawer((REGULAR, NOTE_SIZE, NOTE_LEAD), ROW_GAP + 2),
    "bold": text_drawer((BOLD, 9, 11), ROW_GAP + 2),
    "heading": text_drawer((BOLD, 10, 13), 6),
    "title": lambda c, row, top: draw_band(c, row.text, top),
    "fact": draw_fact,
}


def draw_footer(c: Canvas, form: Form, page: int, pages: int) -> None:
    c.setFont(REGULAR, 7)
    c.setFillColor(GREY)
    c.drawString(LEFT, FOOTER_Y, form.footer)
    if pages > 1 or not form.corner:
        # A one-page form numbered by sheets (PN3: "Sheet 2 of 2") would read "Page 1 of 1" beside it.
        c.drawRightString(RIGHT, FOOTER_Y, f"Page {page} of {pages}")


def end_page(c: Canvas, form: Form, page: int, y: float) -> None:
    if y < BOTTOM:
        raise ValueError(f"{form.filename}: page {page} runs {BOTTOM - y:.0f}pt past the bottom margin")
    pages = 1 + sum(row.kind == "break" for row in form.rows)
    draw_footer(c, form, page, pages)
    c.showPage()


def layout(c: Canvas, form: Form) -> None:
    """Draw the heading block then every row, breaking pages only where the table says so."""
    page, y = 1, draw_heading_block(c, form)
    for row in form.rows:
        if row.kind == "break":
            end_page(c, form, page, y)
            page, y = page + 1, TOP
            continue
        y = DRAWERS[row.kind](c, row, y)
    end_page(c, form, page, y)


def build(form: Form, out_dir: Path) -> Path:
    path = out_dir / form.filename
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle(form.heading[2])
    c.setAuthor(form.heading[0] or "Council request form")
    c.setSubject(form.heading[1])
    # Form-level default appearance: 10pt Helvetica rather than reportlab's auto size (0).
    c.acroForm.extras["DA"] = PDFString(f"/Helv {FIELD_FONT_SIZE} Tf 0 g")
    layout(c, form)
    c.save()
    return path


# The council's facts in a council's own form's heading (fields, filled from its data), and their sizes.
HEADING_FACTS = {"council_name": 16.0, "council_department": 11.0}


def expected_names(form: Form) -> list[str]:
    names = [name for row in form.rows if row.kind != "bullets" for _, name in row.items]
    heading = list(HEADING_FACTS) if form.council_heading else []
    return ([form.corner[1]] if form.corner else []) + heading + names


def fact_sizes(form: Form) -> dict[str, float]:
    """Return each council fact's field and its type size (read-only, no frame)."""
    sizes = {name: float(row.text) for row in form.rows if row.kind == "fact" for _, name in row.items}
    return (HEADING_FACTS if form.council_heading else {}) | sizes


def check(form: Form, out_dir: Path) -> list[str]:
    """Return problems found when reading the built PDF back with pypdf."""
    from pypdf import PdfReader

    reader = PdfReader(out_dir / form.filename)
    found = reader.get_fields() or {}
    want = expected_names(form)
    problems = [f"duplicate name {n}" for n in set(want) if want.count(n) > 1]
    if set(found) != set(want):
        problems.append(f"fields differ: missing {set(want) - set(found)}, extra {set(found) - set(want)}")
    multi = {name for row in form.rows if row.lines > 1 for _, name in row.items}
    facts = fact_sizes(form)
    for page in reader.pages:
        for annot in (a.get_object() for a in page.get("/Annots", [])):
            problems += check_widget(annot, annot["/T"] in multi, facts.get(annot["/T"]))
    return [f"{form.filename}: {p}" for p in problems]


def check_widget(annot: dict, multiline: bool, fact: float | None = None) -> list[str]:
    """Check one widget's flags, default appearance, on-state and rectangle; a council's fact is
    read-only, framed by nothing, in its own type size."""
    name, problems = annot["/T"], []
    if bool(annot.get("/Ff", 0) & MULTILINE_FLAG) != multiline:
        problems.append(f"{name}: multiline flag should be {multiline}")
    size = f"{fact:g}" if fact is not None else f"{FIELD_FONT_SIZE}"
    if annot["/FT"] == "/Btn":
        if "/Yes" not in annot["/AP"]["/N"]:
            problems.append(f"{name}: checkbox has no /Yes on-state")
    elif not str(annot.get("/DA", "")).startswith(f"/Helv {size} Tf ") or "/MaxLen" in annot:
        problems.append(f"{name}: wrong /DA or has /MaxLen")
    if fact is not None and (not int(annot.get("/Ff", 0)) & READ_ONLY or "/BC" in annot.get("/MK", {})):
        problems.append(f"{name}: a council's fact is read-only, without a frame")
    x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
    if x0 < 0 or y0 < 0 or x1 > PAGE_W or y1 > PAGE_H:
        problems.append(f"{name}: rectangle off the page")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output directory")
    parser.add_argument("--check", action="store_true", help="verify the built PDFs with pypdf")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    made = forms()
    for form in made:
        print(build(form, args.out))
    problems = [p for form in made for p in check(form, args.out)] if args.check else []
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
