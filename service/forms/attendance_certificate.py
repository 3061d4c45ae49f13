"""Attendance certificate: a school MIS's registration certificate, drawn from `attendance.marks`."""

from __future__ import annotations

import io
from collections import Counter
from collections import defaultdict
from datetime import date
from datetime import timedelta
from functools import cache
from functools import partial
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary
from reportlab.pdfbase.pdfdoc import PDFInfo
from reportlab.pdfbase.pdfdoc import PDFName
from reportlab.pdfbase.pdfdoc import PDFString
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable
from reportlab.platypus import PageBreak
from reportlab.platypus import Paragraph
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Spacer
from reportlab.platypus import Table
from reportlab.platypus import TableStyle

from service import codes
from service import councils
from service import register
from service.case import Case
from service.case import Mark
from service.case import Pupil
from service.forms import TEMPLATES
from service.forms import GeneratedPdf
from service.forms import SignatureBox
from service.text import long_date

FONT = "PaperworkSans"
FONT_PATH = TEMPLATES / "fonts" / "PaperworkSans.ttf"
MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
SHADE = colors.HexColor("#e8e8e8")
# The headteacher's block at the foot of the last page: a certificate "purporting to be signed by the
# head teacher" is evidence of the attendance it shows (Education Act 1996, s.566). The signing engine
# puts the visible signature in SIGNATURE_BOX (points, lower left origin) of the last page.
BLOCK_Y, BLOCK_H = 20 * mm, 36
SIGNATURE_BOX = (MARGIN + WIDTH / 2 + 34, BLOCK_Y, A4[0] - MARGIN, BLOCK_Y + 24)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Meanings and categories come from the country's code table (service/codes): sub-codes print as sent.


@cache
def _font() -> str:
    """Register the paperwork font once (Latin-1 and Latin Extended-A: Siân, Tŷ, Ó Briain)."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH)))
    return FONT


def _style(size: float, leading: float | None = None, color: Any = INK, **kw: Any) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}", fontName=_font(), fontSize=size, leading=leading or size * 1.25, textColor=color, **kw
    )


def _para(text: str, size: float = 10, **kw: Any) -> Paragraph:
    return Paragraph(escape(text), _style(size, **kw))


class _UndatedInfo(PDFInfo):
    """The document information without CreationDate and ModDate: the same case prints the same bytes."""

    def format(self, document: Any) -> bytes:
        """Return the info dictionary, undated."""
        entries = {
            "Title": PDFString(self.title),
            "Author": PDFString(self.author),
            "Producer": PDFString(self.producer),
            "Creator": PDFString(self.creator),
            "Subject": PDFString(self.subject),
            "Trapped": PDFName(self.trapped),
        }
        return PDFDictionary(entries).format(document)


class _CertificateCanvas(Canvas):
    """A canvas that writes each page's footer, "Page n of N", once the number of pages is known."""

    def __init__(self, *args: Any, signatory: tuple[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signatory = signatory
        info = _UndatedInfo()
        info.__dict__.update(self._doc.info.__dict__)
        self._doc.info = info
        self._footer: tuple[int, str, str] = (0, "", "")  # set by each certificate's _Start
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        """Keep the page until save(), when the page count is known."""
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        """Write every kept page with its pupil's footer ("Page n of N" within that pupil's certificate) and
        the headteacher's block on each certificate's last page, then the file."""
        owners = [state["_footer"] for state in self._pages]
        for index, state in enumerate(self._pages):
            self.__dict__.update(state)
            own = [n for n, owner in enumerate(owners) if owner == owners[index]]
            self._draw_footer(own.index(index) + 1, len(own))
            if index == own[-1]:
                self._draw_signature_block()
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, pages: int) -> None:
        _, left, right = self._footer
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN, 14 * mm, A4[0] - MARGIN, 14 * mm)
        self.setFont(FONT, 8)
        self.setFillColor(MUTED)
        self.drawString(MARGIN, 10 * mm, left)
        self.drawRightString(A4[0] - MARGIN, 10 * mm, f"{right} · Page {number} of {pages}")
        self.restoreState()

    def _draw_signature_block(self) -> None:
        """The headteacher's name, role and date, and the box the digital signature is shown in."""
        name, day = self._signatory
        x1, y1, x2, y2 = SIGNATURE_BOX
        self.saveState()
        self.setFillColor(INK)
        self.setFont(FONT, 8.5)
        self.drawString(
            MARGIN,
            BLOCK_Y + BLOCK_H - 7,
            "Certified by the headteacher as a true extract of the school's attendance register.",
        )
        self.setFont(FONT, 9)
        self.drawString(MARGIN, BLOCK_Y + 14, f"Headteacher: {name}")
        self.drawString(MARGIN, BLOCK_Y + 2, f"Date: {day}")
        self.drawRightString(x1 - 4, y2 - 10, "Signed:")
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.rect(x1, y1, x2 - x1, y2 - y1)
        self.restoreState()


class _Start(Flowable):
    """Takes no room: the pages from here on are this pupil's certificate (their footer, their page count)."""

    def __init__(self, footer: tuple[int, str, str]) -> None:
        super().__init__()
        self.footer = footer

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Return no size."""
        return 0, 0

    def draw(self) -> None:
        """Tell the canvas whose certificate this page belongs to."""
        self.canv._footer = self.footer  # noqa: SLF001 - the canvas above reads it when it writes the page


class _Code(Flowable):
    """A register code in a grid cell; unauthorised ones drawn bold (filled and stroked: one face only)."""

    def __init__(self, text: str, bold: bool, size: float = 8.5) -> None:
        super().__init__()
        self.text, self.bold, self.size = text, bold, size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Return the code's width and its cap height (so the table centres it in the cell)."""
        self.width = pdfmetrics.stringWidth(self.text, FONT, self.size) + (0.6 if self.bold else 0)
        self.height = self.size * 0.75
        return self.width, self.height

    def draw(self) -> None:
        """Draw the code on its baseline."""
        text = self.canv.beginText(0.3 if self.bold else 0, 0)
        text.setFont(FONT, self.size)
        if self.bold:
            self.canv.setLineWidth(0.45)
            text.setTextRenderMode(2)
        text.textOut(self.text)
        self.canv.drawText(text)


def _meaning(table: codes.CodeTable, code: str) -> tuple[str, str]:
    """Return a code's meaning and what it counts as, from the country's table."""
    known = table.get(code)
    if known is None:
        return "Not an attendance code of this country", "Not counted"
    return known.meaning, codes.LABELS[known.category]


def _code_order(table: codes.CodeTable, code: str) -> tuple[int, str]:
    order = [c.code for c in table.codes]
    return (order.index(code) if code in order else len(order), code)


def _heading(case: Case) -> list[Flowable]:
    """Return the title, the school and a rule under them."""
    title = _para("Attendance certificate", 20, leading=24)
    school = _para(case.school.name, 12, leading=15)
    rule = Table([[""]], colWidths=[WIDTH], rowHeights=[4])
    rule.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 1, INK)]))
    return [title, Spacer(0, 2), school, Spacer(0, 2), rule, Spacer(0, 8)]


def _details(pupil: Pupil, marks: tuple[Mark, ...]) -> Table:
    """Return the pupil's particulars and the period the register covers."""
    first, last = min(m.date for m in marks), max(m.date for m in marks)
    rows = [("Pupil", pupil.full_name), ("Date of birth", long_date(pupil.date_of_birth))]
    optional = (("Year group", pupil.year_group), ("Class", pupil.class_name))
    rows += [(label, value) for label, value in optional if value]
    rows.append(("Period covered", f"{long_date(first)} to {long_date(last)}"))
    data = [[_para(label, 9, color=MUTED), _para(value, 11)] for label, value in rows]
    table = Table(data, colWidths=[34 * mm, WIDTH - 34 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _summary(totals: register.Totals) -> Table:
    """Return the five figures of the certificate in boxes: four totals and the percentage."""
    labels = (
        "Sessions possible",
        "Present (including approved educational activity)",
        "Authorised absence",
        "Unauthorised absence",
        "Attendance",
    )
    values = (
        totals.sessions_possible,
        totals.sessions_present,
        totals.authorised_absences,
        totals.unauthorised_absences,
        f"{totals.attendance_percent:.1f}%",
    )
    head = [_para(label, 8, color=MUTED, alignment=TA_CENTER) for label in labels]
    body = [_para(str(value), 16, leading=19, alignment=TA_CENTER) for value in values]
    table = Table([head, body], colWidths=[WIDTH / 5] * 5)
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, INK),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, colors.white),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f4f4f4")),
                ("BACKGROUND", (-1, 0), (-1, -1), SHADE),
                ("VALIGN", (0, 0), (-1, 0), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 7),
            ]
        )
    )
    return table


def _section(title: str, note: str = "") -> list[Flowable]:
    """Return a section heading, and a line of explanation when given."""
    parts: list[Flowable] = [Spacer(0, 12), _para(title, 12, leading=15)]
    if note:
        parts += [Spacer(0, 2), _para(note, 8.5, color=MUTED)]
    return parts + [Spacer(0, 5)]


def _code_table(marks: tuple[Mark, ...], table: codes.CodeTable) -> Table:
    """Return the sessions by code as sent (C1, J1 …), for the codes that occur, with what each counts as."""
    sessions = Counter(m.code for m in marks)
    head = ["Code", "Meaning (national attendance codes)", "Sessions", "Counts as"]
    rows = [
        [code, _para(_meaning(table, code)[0], 9), str(sessions[code]), _para(_meaning(table, code)[1], 9)]
        for code in sorted(sessions, key=lambda c: _code_order(table, c))
    ]
    table = Table([head, *rows], colWidths=[14 * mm, WIDTH - 80 * mm, 20 * mm, 46 * mm], repeatRows=1)
    unauthorised = [i for i, row in enumerate(rows, start=1) if row[0] in register.UNAUTHORISED]
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
                ("FONTSIZE", (0, 0), (-1, 0), 8),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("ALIGN", (0, 0), (0, -1), "CENTER"),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("RIGHTPADDING", (2, 0), (2, -1), 12),
                *[("BACKGROUND", (0, i), (-1, i), SHADE) for i in unauthorised],
            ]
        )
    )
    return table


def _weeks(marks: tuple[Mark, ...]) -> dict[date, list[Mark]]:
    """Return the marks by week (its Monday), in date order; weeks without marks are absent."""
    weeks: dict[date, list[Mark]] = defaultdict(list)
    for mark in marks:
        weeks[mark.date - timedelta(days=mark.date.weekday())].append(mark)
    return dict(sorted(weeks.items()))


def _week_row(monday: date, marks: list[Mark], days: int) -> list[Any]:
    """Return one week of the grid: its Monday, each session's code, and sessions attended."""
    cells: dict[tuple[int, str], list[str]] = defaultdict(list)
    for mark in marks:
        cells[(mark.date.weekday(), mark.session)].append(mark.code)
    row: list[Any] = [long_date(monday)]
    for day in range(days):
        for session in ("AM", "PM"):
            codes = cells.get((day, session), [])
            bold = any(code in register.UNAUTHORISED for code in codes)
            row.append(_Code(" ".join(codes), bold) if codes else "")
    totals = register.count(marks)
    row.append(f"{totals.sessions_present} / {totals.sessions_possible}" if totals.sessions_possible else "–")
    return row


def _grid(marks: tuple[Mark, ...]) -> Table:
    """Return the session grid: a row per week with marks, AM and PM for each school day."""
    days = 7 if any(m.date.weekday() > 4 for m in marks) else 5
    head = [
        ["Week beginning", *[x for d in DAYS[:days] for x in (d, "")], "Attended"],
        ["", *["AM", "PM"] * days, ""],
    ]
    weeks = _weeks(marks)
    rows = [_week_row(monday, week, days) for monday, week in weeks.items()]
    first, last = 30 * mm, 20 * mm
    cell = (WIDTH - first - last) / (2 * days)
    table = Table([*head, *rows], colWidths=[first, *[cell] * (2 * days), last], repeatRows=2)
    table.setStyle(TableStyle(_grid_style(days, rows)))
    return table


def _grid_style(days: int, rows: list[list[Any]]) -> list[tuple[Any, ...]]:
    """Return the grid's lines, spans and shading: a heavier line between days, bold cells shaded."""
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5),
        ("FONTSIZE", (0, 0), (-1, 1), 8),
        ("TEXTCOLOR", (0, 0), (-1, 1), MUTED),
        ("SPAN", (0, 0), (0, 1)),
        ("SPAN", (-1, 0), (-1, 1)),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("BOX", (0, 0), (-1, -1), 0.8, INK),
        ("INNERGRID", (0, 0), (-1, -1), 0.25, RULE),
        ("LINEBELOW", (0, 1), (-1, 1), 0.8, INK),
        ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor("#f4f4f4")),
    ]
    for day in range(days):
        first, last = 1 + 2 * day, 2 + 2 * day
        style += [("SPAN", (first, 0), (last, 0)), ("LINEAFTER", (last, 0), (last, -1), 0.8, INK)]
    for r, row in enumerate(rows, start=2):
        style += [
            ("BACKGROUND", (c, r), (c, r), SHADE)
            for c, cell in enumerate(row)
            if isinstance(cell, _Code) and cell.bold
        ]
    return style


def story(case: Case, today: date) -> list[Flowable]:
    """Return each pupil's certificate, top to bottom, each from that pupil's own register and starting on a
    new page: a family's certificates are one document, each pupil's its own pages."""
    out: list[Flowable] = []
    produced = f"Produced from the register on {long_date(today)}"
    for index, pupil in enumerate(case.pupils):
        figures = case.attendance_of(pupil)
        if figures is None or not figures.marks:
            raise ValueError(f"pupils[{index}]: the attendance certificate is built from the pupil's marks")
        if out:
            out.append(PageBreak())
        out += [_Start((index, f"Attendance certificate: {pupil.full_name}", produced)),
                *_certificate(case, pupil, figures.marks)]
    return out


def _certificate(case: Case, pupil: Pupil, marks: tuple[Mark, ...]) -> list[Flowable]:
    """Return one pupil's certificate."""
    key = (
        "Each cell shows the session's code; unauthorised absence codes are in bold on grey; a blank cell "
        "had no mark. Weeks without marks are left out. Attended: sessions present of sessions possible."
    )
    return [
        *_heading(case),
        _details(pupil, marks),
        Spacer(0, 10),
        _summary(register.count(marks)),
        *_section("Sessions by attendance code"),
        _code_table(marks, codes.table(councils.for_case(case).country)),
        *_section("Register by session", key),
        _grid(marks),
        Spacer(0, BLOCK_H + 4),  # room for the headteacher's block at the foot of the last page
    ]


def build(case: Case, decisions: dict[str, Any], today: date) -> bytes:
    """Return the A4 attendance certificate of each of the case's pupils, the same bytes for the same case."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        invariant=1,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=16 * mm,
        bottomMargin=20 * mm,
        title="Attendance certificate",
        author=case.school.name,
        subject="",
        creator="attendance-paperwork",
    )
    _font()
    signatory = (case.school.headteacher, long_date(today))
    doc.build(story(case, today), canvasmaker=partial(_CertificateCanvas, signatory=signatory))
    return out.getvalue()


DOCUMENT = GeneratedPdf(
    id="attendance-certificate",
    title="Attendance certificate built from the register",
    outputs=("pdf",),
    needs=("marks",),
    build=build,
    signature=SignatureBox(page=-1, box=SIGNATURE_BOX),
)
