"""Fill AcroForm PDFs by incremental update: fast, deterministic, and visible in every viewer.

A template is prepared once per worker: the form font added, XFA and NeedAppearances removed, every field,
widget and annotation given an object of its own and every button state a real appearance stream; then its
widgets are serialised. Filling appends only the changed field and widget dictionaries, their appearance
streams and a new xref section to the template's bytes (ISO 32000-1 §7.5.6), so the same values always give
the same bytes. The engine knows no form: it takes field names and strings (booleans for checkboxes, an
option name for radio groups).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf import PdfWriter
from pypdf.generic import ArrayObject
from pypdf.generic import ByteStringObject
from pypdf.generic import DecodedStreamObject
from pypdf.generic import DictionaryObject
from pypdf.generic import FloatObject
from pypdf.generic import IndirectObject
from pypdf.generic import NameObject
from pypdf.generic import NumberObject
from pypdf.generic import StreamObject
from pypdf.generic import TextStringObject

from service.engines.pdf_font import RESOURCE_NAME
from service.engines.pdf_font import Font

DEFAULT_SIZE = 10.0
MIN_SIZE = 7.0  # below this a name or address is no longer comfortably legible on paper
PADDING = 2.0
LEADING = 1.15
MULTILINE = 1 << 12  # field flag bit 13 (ISO 32000-1 Table 228)
RADIO = 1 << 15  # bit 16 (Table 226)
PUSHBUTTON = 1 << 16  # bit 17
COMB = 1 << 24  # bit 25
HIDDEN = 2 | 32  # annotation flags Hidden and NoView (Table 165): not drawn when flattening
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
TURNS = {
    90: (0.0, 1.0, -1.0, 0.0, 0.0, 0.0),
    180: (-1.0, 0.0, 0.0, -1.0, 0.0, 0.0),
    270: (0.0, -1.0, 1.0, 0.0, 0.0, 0.0),
}  # the /Matrix of an appearance for /MK /R
COLOUR_OPS = {1: ("g", "G"), 3: ("rg", "RG"), 4: ("k", "K")}

Box = tuple[float, float, float, float]  # x, y, width, height on the page
Drawn = dict[int, int | None]  # widget object → its appearance object in this fill (None: draw nothing)


class FieldDoesNotFit(ValueError):
    """A value that cannot be drawn in its field: too long even at the smallest size, or no glyph."""

    def __init__(self, field_name: str, reason: str, undrawable: bool = False) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field_name = field_name
        self.reason = reason
        self.undrawable = undrawable  # characters the font has no glyph for (not a matter of length)


class UnknownField(KeyError):
    """A field name the template does not have."""


class UnsupportedTemplate(ValueError):
    """A template this engine cannot fill: encrypted, or without a form."""


@dataclass(frozen=True)
class Widget:
    """One widget annotation: its object, page, box, and its dictionary serialised without state."""

    obj: int
    page: int
    width: float  # the appearance's own size (width and height swap when /MK /R turns the widget)
    height: float
    raw: bytes  # "<< … " without /V and /AS (text: without /AP and /DA) and without the closing ">>"
    frame: bytes  # background and border drawing from /MK and /BS
    place: bytes  # the "cm" that puts a fresh appearance onto the widget's /Rect
    matrix: bytes = b""  # the /Matrix entry of a fresh appearance when the widget is turned
    states: dict[str, int] = field(default_factory=dict)  # button appearance name → object
    blank: int | None = None  # the appearance the template shows now (drawn when flattening unfilled)
    placements: dict[int, bytes] = field(default_factory=dict)  # template appearance → its "cm"
    hidden: bool = False


@dataclass(frozen=True)
class Field:
    """A terminal field: text, checkbox or radio group, with its widgets."""

    name: str
    kind: str  # "text", "checkbox" or "radio"
    multiline: bool
    max_len: int | None
    widgets: tuple[Widget, ...]
    obj: int | None = None  # the field's own object when it is not its widget
    raw: bytes = b""
    on_state: str = "/Yes"
    comb: bool = False
    quadding: int = 0  # 0 left, 1 centre, 2 right
    options: tuple[str, ...] = ()  # the buttons' on-states, in widget order
    size: float | None = None  # the type size its /DA declares (None: 0, auto, or none declared)


@dataclass(frozen=True)
class Page:
    """A page as flattening rewrites it."""

    obj: int
    raw: bytes  # the page dictionary without /Annots, /Resources and /Contents, without ">>"
    resources: bytes  # its resources without /XObject, without ">>"
    xobjects: bytes  # its own /XObject entries, "/Im0 5 0 R "
    other_annots: bytes  # the annotations that are not widgets, "12 0 R 13 0 R"
    contents: bytes  # the page's content references, "12 0 R 13 0 R"
    widgets: tuple[Widget, ...]  # every widget on the page, fillable or not


@dataclass(frozen=True)
class Template:
    """A prepared template: its bytes and everything filling needs, computed once."""

    data: bytes
    fields: dict[str, Field]
    pages: dict[int, Page]
    size: int
    root: int
    catalog_raw: bytes  # the catalogue without /AcroForm and without ">>"
    id0: bytes
    startxref: int
    font_ref: int


def _serialise(obj: object) -> bytes:
    buf = io.BytesIO()
    obj.write_to_stream(buf)  # type: ignore[attr-defined]
    return buf.getvalue()


def _open_dict(d: DictionaryObject, drop: tuple[str, ...]) -> bytes:
    kept = DictionaryObject({k: v for k, v in d.items() if k not in drop})
    return _serialise(kept).rstrip()[:-2]


@lru_cache(maxsize=4096)
def _name(name: str) -> bytes:
    """Return a name as PDF syntax, spaces and non-ASCII escaped as #xx."""
    return _serialise(NameObject(name))


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _get(d: Any, key: str, default: Any = None) -> Any:
    """Return a dictionary entry resolved, or `default` when absent (or `d` is not a dictionary)."""
    value = d.get(key) if isinstance(d, DictionaryObject) else None
    return default if value is None else value.get_object()


def _dict(d: Any, key: str) -> DictionaryObject:
    value = _get(d, key)
    return value if isinstance(value, DictionaryObject) else DictionaryObject()


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Keep pypdf's warnings about a damaged template out of the logs (a Quartz re-save gives hundreds)."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _open_template(path: Path) -> PdfReader:
    reader = PdfReader(path, strict=False)
    if reader.is_encrypted:
        raise UnsupportedTemplate(f"encrypted templates are not supported: {path.name}")
    if not isinstance(_get(reader.root_object, "/AcroForm"), DictionaryObject):
        raise UnsupportedTemplate(f"the template has no form (no /AcroForm): {path.name}")
    return reader


def _prepared_bytes(path: Path, font: Font) -> bytes:
    """Add the form font and strip what makes viewers redraw or ignore our appearances."""
    with _quiet_pypdf():
        writer = PdfWriter(clone_from=_open_template(path))
        _normalise(writer)
    acro = writer.root_object["/AcroForm"].get_object()
    for key in ("/XFA", "/NeedAppearances"):
        acro.pop(key, None)
    dr = acro.setdefault(NameObject("/DR"), DictionaryObject()).get_object()
    fonts = dr.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
    fonts[NameObject(RESOURCE_NAME)] = font.add_to(writer)
    acro[NameObject("/DA")] = TextStringObject(f"{RESOURCE_NAME} {DEFAULT_SIZE:g} Tf 0 g")
    digest = hashlib.md5(path.read_bytes()).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    writer._info = None  # no producer or dates in the output
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _normalise(writer: PdfWriter) -> None:
    """Give every annotation, field and widget its own object, and every button state a stream.

    An incremental update replaces whole objects: a widget written inside its page's /Annots or its
    parent's /Kids could only be changed by rewriting that container.
    """
    for page in writer.pages:
        annots = _get(page, "/Annots")
        if isinstance(annots, ArrayObject):
            _make_indirect(writer, annots)
    fields = _get(writer.root_object["/AcroForm"].get_object(), "/Fields")
    if isinstance(fields, ArrayObject):
        _normalise_fields(writer, fields, set())


def _make_indirect(writer: PdfWriter, array: ArrayObject) -> None:
    for i, item in enumerate(array):
        if isinstance(item, DictionaryObject):
            array[i] = writer._add_object(item)


def _normalise_fields(writer: PdfWriter, array: ArrayObject, seen: set[int]) -> None:
    _make_indirect(writer, array)
    for ref in array:
        if not isinstance(ref, IndirectObject) or ref.idnum in seen:
            continue
        seen.add(ref.idnum)
        node = ref.get_object()
        kids = _get(node, "/Kids")
        if isinstance(kids, ArrayObject):
            _normalise_fields(writer, kids, seen)
        elif isinstance(node, DictionaryObject) and "/Rect" in node and node.get_inherited("/FT") == "/Btn":
            _button_streams(writer, node)


def _button_streams(writer: PdfWriter, widget: DictionaryObject) -> None:
    """Replace button appearance states that are not streams (pdfTeX writes `<< >>`) with drawn ones."""
    ap = _get(widget, "/AP")
    if not isinstance(ap, DictionaryObject):
        if int(widget.get_inherited("/Ff", 0)) & RADIO:
            return  # a radio button's on-state name cannot be guessed
        ap = DictionaryObject({NameObject("/N"): DictionaryObject({NameObject("/Yes"): DictionaryObject()})})
        widget[NameObject("/AP")] = ap
    for key in ("/N", "/D"):
        states = _get(ap, key)
        if not isinstance(states, DictionaryObject) or isinstance(states, StreamObject):
            continue
        for state in list(states):
            if not isinstance(_get(states, state), StreamObject):
                states[NameObject(state)] = writer._add_object(_button_stream(widget, state != "/Off"))


def _button_stream(widget: DictionaryObject, on: bool) -> DecodedStreamObject:
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    width, height = abs(x2 - x1), abs(y2 - y1)
    stream = DecodedStreamObject()
    stream.set_data(_tick(width, height) if on else b"")
    stream[NameObject("/Type")] = NameObject("/XObject")
    stream[NameObject("/Subtype")] = NameObject("/Form")
    stream[NameObject("/BBox")] = ArrayObject(
        [NumberObject(0), NumberObject(0), FloatObject(round(width, 4)), FloatObject(round(height, 4))]
    )
    return stream


def _tick(width: float, height: float) -> bytes:
    """Draw a tick centred in a box, for a checked state the template gives no appearance."""
    side = min(width, height)
    x0, y0 = (width - side) / 2, (height - side) / 2
    points = ((0.22, 0.52, "m"), (0.42, 0.28, "l"), (0.78, 0.74, "l"))
    path = " ".join(f"{_num(x0 + side * px)} {_num(y0 + side * py)} {op}" for px, py, op in points)
    return f"0 G {_num(side * 0.1)} w 1 J 1 j {path} S".encode()


def _frame(annot: DictionaryObject, width: float, height: float) -> bytes:
    mk, bs = _dict(annot, "/MK"), _dict(annot, "/BS")
    ops = []
    background = _colour(_get(mk, "/BG"), 0)
    if background:
        ops.append(f"{background} 0 0 {width:g} {height:g} re f")
    bw = float(_get(bs, "/W", 1))
    border = _colour(_get(mk, "/BC"), 1)
    if border and bw > 0:
        half = bw / 2
        ops.append(f"{border} {bw:g} w {half:g} {half:g} {width - bw:g} {height - bw:g} re s")
    return ("\n".join(ops) + "\n").encode()


def _colour(values: Any, stroke: int) -> str:
    """Return a /MK colour (gray, RGB or CMYK) as a fill (stroke=0) or stroke (1) operator."""
    if not isinstance(values, ArrayObject) or len(values) not in COLOUR_OPS:
        return ""
    return " ".join(f"{float(v):g}" for v in values) + " " + COLOUR_OPS[len(values)][stroke]


def _place(bbox: Box, matrix: tuple[float, ...], box: Box) -> bytes:
    """Return the "cm" that maps a form's /BBox, transformed by its /Matrix, onto a box (§12.5.5)."""
    a, b, c, d, e, f = matrix
    corners = [(a * px + c * py + e, b * px + d * py + f) for px in bbox[::2] for py in bbox[1::2]]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    sx = box[2] / width if width > 0 else 1.0
    sy = box[3] / height if height > 0 else 1.0
    x, y = box[0] - sx * min(xs), box[1] - sy * min(ys)
    return f"{_num(sx)} 0 0 {_num(sy)} {_num(x)} {_num(y)} cm".encode()


def _form_place(stream: Any, box: Box) -> bytes | None:
    bbox = [float(v) for v in _get(stream, "/BBox", ())]
    matrix = [float(v) for v in _get(stream, "/Matrix", IDENTITY)]
    if len(bbox) != 4 or len(matrix) != 6:
        return None
    return _place((bbox[0], bbox[1], bbox[2], bbox[3]), tuple(matrix), box)


def _appearances(annot: DictionaryObject) -> tuple[dict[str, IndirectObject], IndirectObject | None]:
    """Return a widget's appearance states (buttons) and the appearance it shows now."""
    normal = _dict(annot, "/AP").get("/N")
    if isinstance(normal, IndirectObject) and isinstance(normal.get_object(), StreamObject):
        return {}, normal
    states_dict = normal.get_object() if normal is not None else None
    if not isinstance(states_dict, DictionaryObject):
        return {}, None
    states = {
        str(k): v
        for k, v in states_dict.items()
        if isinstance(v, IndirectObject) and isinstance(v.get_object(), StreamObject)
    }
    return states, states.get(str(_get(annot, "/AS", "/Off")))


def _widget(annot: DictionaryObject, obj: int, page: int, kind: str | None) -> Widget:
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    box = (min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
    turn = TURNS.get(int(_get(_dict(annot, "/MK"), "/R", 0)) % 360)
    width, height = (box[3], box[2]) if turn and turn[0] == 0 else (box[2], box[3])
    states, blank = _appearances(annot)
    refs = [*states.values(), *([blank] if blank is not None else [])]
    placements = {r.idnum: p for r in refs if (p := _form_place(r.get_object(), box)) is not None}
    return Widget(
        obj,
        page,
        width,
        height,
        _widget_raw(annot, kind),
        _frame(annot, width, height) if kind == "text" else b"",
        _place((0.0, 0.0, width, height), turn or IDENTITY, box),
        b"/Matrix [%s] " % " ".join(_num(v) for v in turn).encode() if turn else b"",
        {name: ref.idnum for name, ref in states.items()},
        blank.idnum if blank is not None else None,
        placements,
        bool(int(_get(annot, "/F", 0)) & HIDDEN),
    )


def _widget_raw(annot: DictionaryObject, kind: str | None) -> bytes:
    if kind is None:
        return b""  # not filled: only flattening draws it
    if kind != "text":
        return _open_dict(annot, ("/V", "/AS"))
    raw = _open_dict(annot, ("/V", "/AP", "/AS", "/DA"))
    if "/FT" in annot or "/DA" in annot:
        raw += f"/DA ({RESOURCE_NAME} {DEFAULT_SIZE:g} Tf 0 g)".encode()
    return raw


@dataclass
class _Walk:
    """The state of one walk over a form's field tree."""

    page_of: dict[int, int]
    quadding: int
    found: dict[str, Field] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)


def _fields(reader: PdfReader, page_of: dict[int, int]) -> dict[str, Field]:
    acro = reader.root_object["/AcroForm"]
    walk = _Walk(page_of, int(_get(acro, "/Q", 0)))
    for ref in _get(acro, "/Fields", ArrayObject()):
        _walk(ref, "", walk)
    return walk.found


def _walk(ref: Any, prefix: str, walk: _Walk) -> None:
    if not isinstance(ref, IndirectObject) or ref.idnum in walk.seen:
        return
    walk.seen.add(ref.idnum)
    node = ref.get_object()
    if not isinstance(node, DictionaryObject):
        return
    name = f"{prefix}.{node['/T']}" if prefix and "/T" in node else str(node.get("/T", prefix))
    kids = [k for k in _get(node, "/Kids", ArrayObject()) if isinstance(k, IndirectObject)]
    if any("/T" in k.get_object() for k in kids):
        for kid in kids:
            _walk(kid, name, walk)
        return
    fld = _field(node, ref, name, kids, walk)
    if fld is not None:
        walk.found[name] = fld


def _kind(ft: Any, flags: int) -> str | None:
    if ft == "/Tx":
        return "text"
    if ft == "/Btn" and not flags & PUSHBUTTON:
        return "radio" if flags & RADIO else "checkbox"
    return None  # choice and signature fields are not filled by this service


def _field(
    node: DictionaryObject, ref: IndirectObject, name: str, kids: list[IndirectObject], walk: _Walk
) -> Field | None:
    flags = int(node.get_inherited("/Ff", 0))
    kind = _kind(node.get_inherited("/FT"), flags)
    refs = [r for r in kids or [ref] if "/Rect" in r.get_object()]
    if kind is None or not name or not refs:
        return None
    widgets = tuple(_widget(r.get_object(), r.idnum, walk.page_of.get(r.idnum, 0), kind) for r in refs)
    first = refs[0].get_object()
    max_len = first.get_inherited("/MaxLen")
    max_len = int(max_len) if max_len is not None else None
    options = tuple(dict.fromkeys(s for w in widgets for s in w.states if s != "/Off"))
    multiline = kind == "text" and bool(flags & MULTILINE)
    return Field(
        name,
        kind,
        multiline,
        max_len,
        widgets,
        ref.idnum if kids else None,
        _open_dict(node, ("/V", "/DA") if kind == "text" else ("/V",)) if kids else b"",
        options[0] if options else "/Yes",
        comb=kind == "text" and bool(flags & COMB) and not multiline and bool(max_len),
        quadding=min(max(int(first.get_inherited("/Q", walk.quadding)), 0), 2),
        options=options,
        size=_declared_size(first.get_inherited("/DA", None)) if kind == "text" else None,
    )


DA_SIZE = re.compile(rb"/[^\s/]+\s+(\d+(?:\.\d+)?)\s+Tf")


def _declared_size(da: Any) -> float | None:
    """Return the type size of a /DA string (`/Helv 16 Tf 0 g`: 16), or None for 0 (auto) or none."""
    found = DA_SIZE.search(bytes(str(da or ""), "latin-1", "replace"))
    size = float(found.group(1)) if found else 0.0
    return size if 0 < size <= 72 else None


def _annots(page: DictionaryObject) -> list[IndirectObject]:
    annots = _get(page, "/Annots")
    return [a for a in annots if isinstance(a, IndirectObject)] if isinstance(annots, ArrayObject) else []


def _pages(reader: PdfReader, fields: dict[str, Field]) -> dict[int, Page]:
    known = {w.obj: w for f in fields.values() for w in f.widgets}
    pages = {}
    for page in reader.pages:
        number = page.indirect_reference.idnum
        widgets: dict[int, Widget] = {}
        others = []
        for ref in _annots(page):
            annot = ref.get_object()
            if not isinstance(annot, DictionaryObject):
                continue
            if annot.get("/Subtype") != "/Widget":
                others.append(ref.idnum)
            elif "/Rect" in annot:
                widgets[ref.idnum] = known.get(ref.idnum) or _widget(annot, ref.idnum, number, None)
        pages[number] = _page(page, number, tuple(widgets.values()), others)
    return pages


def _page(page: DictionaryObject, number: int, widgets: tuple[Widget, ...], others: list[int]) -> Page:
    resources = _dict(page, "/Resources")
    xobjects = _dict(resources, "/XObject")
    return Page(
        number,
        _open_dict(page, ("/Annots", "/Resources", "/Contents")),
        _open_dict(resources, ("/XObject",)),
        b"".join(_serialise(k) + b" " + _serialise(v) + b" " for k, v in xobjects.items()),
        b" ".join(b"%d 0 R" % o for o in others),
        _content_refs(page.get("/Contents")),
        widgets,
    )


def _content_refs(contents: object) -> bytes:
    target = contents.get_object() if isinstance(contents, IndirectObject) else contents
    if isinstance(target, ArrayObject):
        return b" ".join(b"%d 0 R" % c.idnum for c in target if isinstance(c, IndirectObject))
    if isinstance(contents, IndirectObject):
        return b"%d 0 R" % contents.idnum
    return b""  # a page without content


@lru_cache(maxsize=32)
def prepare(path: Path, font: Font | None = None) -> Template:
    """Prepare a template once per worker (cached): font added, widgets serialised.

    Raises UnsupportedTemplate for an encrypted template or one without a form.
    """
    font = font or default_font()
    data = _prepared_bytes(path, font)
    reader = PdfReader(io.BytesIO(data))
    font_ref = reader.root_object["/AcroForm"]["/DR"]["/Font"].raw_get(RESOURCE_NAME).idnum
    startxref = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    page_of = {a.idnum: p.indirect_reference.idnum for p in reader.pages for a in _annots(p)}
    fields = _fields(reader, page_of)
    return Template(
        data,
        fields,
        _pages(reader, fields),
        int(reader.trailer["/Size"]),
        reader.trailer.raw_get("/Root").idnum,
        _open_dict(reader.root_object, ("/AcroForm",)),
        bytes(reader.trailer["/ID"][0].original_bytes),
        startxref,
        font_ref,
    )


@lru_cache(maxsize=1)
def default_font() -> Font:
    """Return the committed form font."""
    return Font()


def _wrap(text: str, font: Font, size: float, width: float) -> list[str]:
    """Break text into lines that fit `width`: at spaces, and inside a word only when it must."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if font.width(candidate, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = word
            while font.width(line, size) > width and len(line) > 1:
                cut = max(
                    1,
                    next(i for i in range(len(line), 0, -1) if font.width(line[:i], size) <= width)
                    if font.width(line[0], size) <= width
                    else 1,
                )
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines


def layout(text: str, fld: Field, widget: Widget, font: Font) -> tuple[float, list[str]]:
    """Return the font size and lines that show all of `text` in the widget, or raise FieldDoesNotFit."""
    missing = font.missing(text)
    if missing:
        raise FieldDoesNotFit(
            fld.name, "no embedded font can draw " + " ".join(f"U+{ord(c):04X}" for c in missing), True
        )
    if fld.max_len is not None and len(text) > fld.max_len:
        raise FieldDoesNotFit(fld.name, f"{len(text)} characters; the field holds {fld.max_len}")
    # The size the field declares (a council's name in a form's heading is 16 pt), else the default; a
    # value too wide shrinks down to the smallest legible size (or the declared one, if smaller).
    size = fld.size or DEFAULT_SIZE
    smallest = min(MIN_SIZE, size)
    while size >= smallest:
        lines = _lines_at(text, fld, widget, font, size)
        if lines is not None:
            return size, lines
        size -= 0.5
    raise FieldDoesNotFit(fld.name, f"too long to show in full even at {smallest:g} pt")


def _lines_at(text: str, fld: Field, widget: Widget, font: Font, size: float) -> list[str] | None:
    """Return the lines that show `text` at `size`, or None when it does not fit."""
    width, height = widget.width - 2 * PADDING, widget.height - 2 * PADDING
    if fld.multiline:
        lines = _wrap(text, font, size, width)
        return lines if len(lines) * size * LEADING <= height + size * (LEADING - 1) else None
    if "\n" in text or "\r" in text or size > height:
        return None
    if fld.comb and fld.max_len:
        cell = widget.width / fld.max_len
        return [text] if all(font.width(c, size) <= cell for c in text) else None
    return [text] if font.width(text, size) <= width else None


def appearance(fld: Field, widget: Widget, size: float, lines: list[str], font: Font) -> bytes:
    """Return the content of a text widget's normal appearance: frame, then the text, clipped."""
    if fld.multiline:
        y = widget.height - PADDING - font.ascent * size / 1000
    else:
        y = (widget.height - (font.ascent - font.descent) * size / 1000) / 2 - font.descent * size / 1000
    head = _head(size)
    if fld.comb and fld.max_len and lines:
        text = [head, *_comb(lines[0], widget.width / fld.max_len, y, size, font)]
    elif fld.multiline:
        text = [head + f" {PADDING:g} {y:.2f} Td {size * LEADING:.2f} TL".encode()]
        text += [font.encode(line) + (b" Tj" if i == 0 else b" '") for i, line in enumerate(lines)]
    else:
        line = lines[0] if lines else ""
        x = PADDING
        if fld.quadding:
            x += max(widget.width - 2 * PADDING - font.width(line, size), 0.0) * fld.quadding / 2
        text = [head + f" {x:.2f} {y:.2f} Td".encode()] + ([font.encode(line) + b" Tj"] if line else [])
    return _opening(widget.frame, widget.width, widget.height) + b"\n".join(text) + b"\nET\nQ\nEMC\n"


# What does not change between fills of one widget is built once (a PN3 has 23 text widgets: issue #16).
@lru_cache(maxsize=64)
def _head(size: float) -> bytes:
    return f"{RESOURCE_NAME} {size:g} Tf 0 g".encode()


@lru_cache(maxsize=1024)
def _opening(frame: bytes, width: float, height: float) -> bytes:
    """The frame, then the clip to the widget's padded box, up to BT."""
    clip = f"{PADDING / 2:g} {PADDING / 2:g} {width - PADDING:g} {height - PADDING:g} re W n"
    return frame + b"/Tx BMC\nq\n" + clip.encode() + b"\nBT\n"


def _comb(text: str, cell: float, y: float, size: float, font: Font) -> list[bytes]:
    """Draw each character centred in its cell of a comb field."""
    return [
        f"1 0 0 1 {cell * i + (cell - font.width(c, size)) / 2:.2f} {y:.2f} Tm ".encode()
        + font.encode(c)
        + b" Tj"
        for i, c in enumerate(text)
    ]


def _stream(content: bytes, extra: bytes) -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def _xobject(widget: Widget, content: bytes, font_ref: int) -> bytes:
    return _stream(content, _xobject_entries(widget.width, widget.height, font_ref, widget.matrix))


@lru_cache(maxsize=1024)
def _xobject_entries(width: float, height: float, font_ref: int, matrix: bytes) -> bytes:
    return (
        f"/Type /XObject /Subtype /Form /BBox [0 0 {width:g} {height:g}] "
        f"/Resources << /Font << {RESOURCE_NAME} {font_ref} 0 R >> >> "
    ).encode() + matrix


def _text_value(text: str) -> bytes:
    """Return a /V value as PDF syntax: a literal string for printable ASCII (what pypdf writes, without its
    byte-at-a-time writer, a third of a fill), else UTF-16BE with its byte-order mark as a hex string."""
    if text.isascii() and text.isprintable():
        return b"(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode() + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


@dataclass
class _Update:
    """The objects an incremental update appends, numbered from the template's size."""

    template: Template
    objects: dict[int, bytes] = field(default_factory=dict)
    next_obj: int = 0

    def new(self, body: bytes) -> int:
        number = self.next_obj or self.template.size
        self.next_obj = number + 1
        self.objects[number] = body
        return number

    def write(self) -> bytes:
        t = self.template
        if not self.objects:
            return t.data  # nothing changed: an empty xref section would not parse
        out = bytearray(t.data)
        offsets = {}
        for number in sorted(self.objects):
            offsets[number] = len(out)
            out += b"%d 0 obj\n" % number + self.objects[number] + b"\nendobj\n"
        digest = hashlib.md5(bytes(out[len(t.data) :])).hexdigest().encode()
        xref = len(out)
        out += b"xref\n" + _xref_sections(offsets)
        size = max(t.size, self.next_obj)
        out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n" % (
            size,
            t.root,
            t.startxref,
            t.id0.hex().encode(),
            digest,
            xref,
        )
        return bytes(out)


def _xref_sections(offsets: dict[int, int]) -> bytes:
    out, numbers = b"", sorted(offsets)
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        out += b"%d %d\n" % (numbers[start], end - start + 1)
        out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in numbers[start : end + 1])
        start = end + 1
    return out


def _button_state(fld: Field, value: str | bool) -> str:
    """Return the appearance state a checkbox or radio value selects."""
    if fld.kind == "checkbox":
        return fld.on_state if value else "/Off"
    if value is False or value == "":
        return "/Off"
    state = value if isinstance(value, str) and value.startswith("/") else f"/{value}"
    if state not in fld.options:
        choices = ", ".join(o[1:] for o in fld.options)
        raise FieldDoesNotFit(fld.name, f"{value!r} is not one of its options ({choices})")
    return state


def _set_button(update: _Update, fld: Field, value: str | bool, drawn: Drawn, flatten: bool) -> None:
    state = _button_state(fld, value)
    v = _name(state)
    if fld.obj is not None and not flatten:
        update.objects[fld.obj] = fld.raw + b"/V " + v + b" >>"
    own_v = b"/V " + v + b" " if fld.obj is None else b""
    for w in fld.widgets:
        shown = state if state in w.states else "/Off"
        drawn[w.obj] = w.states.get(shown)
        if not flatten:
            update.objects[w.obj] = w.raw + own_v + b"/AS " + _name(shown) + b" >>"


def _flatten(update: _Update, t: Template, drawn: Drawn) -> None:
    """Draw every widget's appearance into its page, then drop the widgets and the AcroForm."""
    pages = [p for p in t.pages.values() if p.widgets]
    save = update.new(_stream(b"q", b"")) if pages else 0  # the page's own drawing runs inside q … Q
    for page in pages:
        update.objects[page.obj] = _flat_page(update, page, drawn, save)
    update.objects[t.root] = t.catalog_raw + b">>"


def _flat_page(update: _Update, page: Page, drawn: Drawn, save: int) -> bytes:
    ops, names = [b"Q"], []
    for w in page.widgets:
        ap = drawn[w.obj] if w.obj in drawn else w.blank
        if ap is None or w.hidden:
            continue
        names.append(b"/PwF%d %d 0 R" % (len(names), ap))
        ops.append(b"q %s /PwF%d Do Q" % (w.placements.get(ap, w.place), len(names) - 1))
    content = update.new(_stream(b"\n".join(ops), b""))
    annots = b" /Annots [" + page.other_annots + b"]" if page.other_annots else b""
    return (
        page.raw
        + b"/Resources "
        + page.resources
        + b"/XObject << "
        + page.xobjects
        + b" ".join(names)
        + b" >> >> /Contents [%d 0 R %s %d 0 R]" % (save, page.contents, content)
        + annots
        + b" >>"
    )


class PdfFiller:
    """Fills prepared templates; holds no per-request state, so one instance serves a worker."""

    def __init__(self, font: Font | None = None) -> None:
        self.font = font or default_font()

    def fields(self, template: Path) -> dict[str, Field]:
        """Return a template's fillable fields by name."""
        return prepare(template, self.font).fields

    def fill(self, template: Path, values: Mapping[str, str | bool], flatten: bool = False) -> bytes:
        """Return the template filled with `values`; flattened (no fields left) when asked.

        Text fields take strings, checkboxes booleans, radio groups an option name (one of `options`,
        with or without its "/") or "" for none.
        """
        return self.update(template, values, flatten).write()

    def update(self, template: Path, values: Mapping[str, str | bool], flatten: bool = False) -> _Update:
        """Return the incremental update a fill appends, not yet written (bench/ times the writing alone:
        the floor of a fill)."""
        t = prepare(template, self.font)
        unknown = sorted(set(values) - set(t.fields))
        if unknown:
            raise UnknownField(", ".join(unknown))
        update = _Update(t)
        drawn: Drawn = {}
        for name, value in values.items():
            fld = t.fields[name]
            if fld.kind == "text":
                self._set_text(update, fld, str(value), drawn, flatten)
            else:
                _set_button(update, fld, value, drawn, flatten)
        if flatten:
            _flatten(update, t, drawn)
        return update

    def _set_text(self, update: _Update, fld: Field, text: str, drawn: Drawn, flatten: bool) -> None:
        v = _text_value(text)
        if fld.obj is not None and not flatten:
            update.objects[fld.obj] = fld.raw + b"/V " + v + b" >>"
        own_v = b"/V " + v + b" " if fld.obj is None else b""
        for w in fld.widgets:
            size, lines = layout(text, fld, w, self.font) if text else (DEFAULT_SIZE, [])
            content = appearance(fld, w, size, lines, self.font)
            ap = update.new(_xobject(w, content, update.template.font_ref))
            drawn[w.obj] = ap
            if not flatten:
                update.objects[w.obj] = w.raw + own_v + b"/AP << /N %d 0 R >> >>" % ap
