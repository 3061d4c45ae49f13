"""Fill AcroForm PDFs by incremental update: fast, deterministic, and visible in every viewer.

A template is prepared once per worker (the form font added, XFA and NeedAppearances removed) and its
widgets serialised. Filling appends only the changed widget dictionaries, their appearance streams and a new
xref section to the template's bytes (ISO 32000-1 §7.5.6), so the same values always give the same bytes.
The engine knows no form: it takes field names and strings (or booleans for checkboxes).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from pathlib import Path

from pypdf import PdfReader
from pypdf import PdfWriter
from pypdf.generic import ArrayObject
from pypdf.generic import ByteStringObject
from pypdf.generic import DictionaryObject
from pypdf.generic import IndirectObject
from pypdf.generic import NameObject
from pypdf.generic import TextStringObject

from service.engines.pdf_font import RESOURCE_NAME
from service.engines.pdf_font import Font

DEFAULT_SIZE = 10.0
MIN_SIZE = 7.0  # below this a name or address is no longer comfortably legible on paper
PADDING = 2.0
LEADING = 1.15
MULTILINE = 1 << 12  # field flag bit 13 (ISO 32000-1 Table 228)
COMB = 1 << 24


class FieldDoesNotFit(ValueError):
    """A value that cannot be drawn in its field: too long even at the smallest size, or no glyph."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field_name = field_name
        self.reason = reason


class UnknownField(KeyError):
    """A field name the template does not have."""


@dataclass(frozen=True)
class Widget:
    """One widget of a field: its object, page, box, and its dictionary serialised without state."""

    obj: int
    page: int
    width: float
    height: float
    x: float
    y: float
    raw: bytes  # "<< … " without /V, /AP, /AS and without the closing ">>"
    frame: bytes  # background and border drawing from /MK and /BS
    states: dict[str, int] = field(default_factory=dict)  # checkbox appearance name → object
    blank: int | None = None  # the template's own normal appearance (drawn when flattening)


@dataclass(frozen=True)
class Field:
    """A terminal field: text or checkbox, with its widgets."""

    name: str
    kind: str  # "text" or "checkbox"
    multiline: bool
    max_len: int | None
    widgets: tuple[Widget, ...]
    obj: int | None = None  # the field's own object when it is not its widget
    raw: bytes = b""
    on_state: str = "/Yes"


@dataclass(frozen=True)
class Page:
    """A page as flattening rewrites it."""

    obj: int
    raw: bytes  # the page dictionary without /Annots and /Resources, without ">>"
    resources: DictionaryObject
    other_annots: tuple[int, ...]
    contents: bytes  # the page's content references, "12 0 R 13 0 R"


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


def _prepared_bytes(path: Path, font: Font) -> bytes:
    """Add the form font and strip what makes viewers redraw or ignore our appearances."""
    writer = PdfWriter(clone_from=PdfReader(path))
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


def _frame(annot: DictionaryObject, width: float, height: float) -> bytes:
    mk = annot.get("/MK", {})
    ops = []
    if "/BG" in mk and len(mk["/BG"]) == 3:
        r, g, b = (float(v) for v in mk["/BG"])
        ops.append(f"{r:g} {g:g} {b:g} rg 0 0 {width:g} {height:g} re f")
    bw = float(annot.get("/BS", {}).get("/W", 1))
    if "/BC" in mk and len(mk["/BC"]) == 3 and bw > 0:
        r, g, b = (float(v) for v in mk["/BC"])
        half = bw / 2
        ops.append(f"{r:g} {g:g} {b:g} RG {bw:g} w {half:g} {half:g} {width - bw:g} {height - bw:g} re s")
    return ("\n".join(ops) + "\n").encode()


def _widget(annot: DictionaryObject, obj: int, page: int) -> Widget:
    x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
    width, height = abs(x2 - x1), abs(y2 - y1)
    normal = annot.get("/AP", {}).get("/N")
    states, blank = {}, None
    if (
        normal is not None
        and isinstance(normal.get_object(), DictionaryObject)
        and "/Subtype" not in normal.get_object()
    ):
        states = {k: v.idnum for k, v in normal.get_object().items()}
    elif normal is not None:
        blank = normal.idnum
    raw = _open_dict(annot, ("/V", "/AP", "/AS", "/DA"))
    raw += (
        f"/DA ({RESOURCE_NAME} {DEFAULT_SIZE:g} Tf 0 g)".encode() if "/FT" in annot or "/DA" in annot else b""
    )
    return Widget(
        obj, page, width, height, min(x1, x2), min(y1, y2), raw, _frame(annot, width, height), states, blank
    )


def _fields(reader: PdfReader) -> dict[str, Field]:
    page_of = {a.idnum: p.indirect_reference.idnum for p in reader.pages for a in p.get("/Annots", [])}
    found: dict[str, Field] = {}
    for ref in reader.root_object["/AcroForm"]["/Fields"]:
        _walk(ref, "", page_of, found)
    return found


def _walk(ref: object, prefix: str, page_of: dict[int, int], found: dict[str, Field]) -> None:
    node = ref.get_object()  # type: ignore[attr-defined]
    name = f"{prefix}.{node['/T']}" if prefix and "/T" in node else str(node.get("/T", prefix))
    kids = [k for k in node.get("/Kids", [])]
    if kids and any("/T" in k.get_object() for k in kids):
        for kid in kids:
            _walk(kid, name, page_of, found)
        return
    widget_refs = kids or [ref]
    widgets = tuple(_widget(w.get_object(), w.idnum, page_of.get(w.idnum, 0)) for w in widget_refs)
    kind = {"/Tx": "text", "/Btn": "checkbox"}.get(str(node.get("/FT", _inherited(node, "/FT"))))
    if kind is None:
        return  # choice and signature fields are not filled by this service
    flags = int(node.get("/Ff", 0))
    on = next((s for s in widgets[0].states if s != "/Off"), "/Yes")
    found[name] = Field(
        name,
        kind,
        bool(flags & MULTILINE),
        int(node["/MaxLen"]) if "/MaxLen" in node else None,
        widgets,
        ref.idnum if kids else None,  # type: ignore[attr-defined]
        _open_dict(node, ("/V", "/DA")) if kids else b"",
        on,
    )


def _inherited(node: DictionaryObject, key: str) -> object:
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent", None)
        node = node.get_object() if node is not None else None
    return None


def _pages(reader: PdfReader) -> dict[int, Page]:
    pages = {}
    for page in reader.pages:
        annots = [a for a in page.get("/Annots", []) if a.get_object().get("/Subtype") != "/Widget"]
        resources = DictionaryObject(page.get("/Resources", DictionaryObject()).get_object())
        pages[page.indirect_reference.idnum] = Page(
            page.indirect_reference.idnum,
            _open_dict(page, ("/Annots", "/Resources", "/Contents")),
            resources,
            tuple(a.idnum for a in annots),
            _content_refs(page.raw_get("/Contents")),
        )
    return pages


def _content_refs(contents: object) -> bytes:
    refs = (
        contents.get_object()
        if isinstance(contents, IndirectObject) and isinstance(contents.get_object(), ArrayObject)
        else contents
    )
    if isinstance(refs, ArrayObject):
        return b" ".join(b"%d 0 R" % c.idnum for c in refs)
    return b"%d 0 R" % contents.idnum  # type: ignore[attr-defined]


@lru_cache(maxsize=32)
def prepare(path: Path, font: Font | None = None) -> Template:
    """Prepare a template once per worker (cached): font added, widgets serialised."""
    font = font or default_font()
    data = _prepared_bytes(path, font)
    reader = PdfReader(io.BytesIO(data))
    font_ref = reader.root_object["/AcroForm"]["/DR"]["/Font"].raw_get(RESOURCE_NAME).idnum
    startxref = int(data[data.rindex(b"startxref") + 9 :].split()[0])
    return Template(
        data,
        _fields(reader),
        _pages(reader),
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
            fld.name, "no embedded font can draw " + " ".join(f"U+{ord(c):04X}" for c in missing)
        )
    if fld.max_len is not None and len(text) > fld.max_len:
        raise FieldDoesNotFit(fld.name, f"{len(text)} characters; the field holds {fld.max_len}")
    width, height = widget.width - 2 * PADDING, widget.height - 2 * PADDING
    size = DEFAULT_SIZE
    while size >= MIN_SIZE:
        if fld.multiline:
            lines = _wrap(text, font, size, width)
            if len(lines) * size * LEADING <= height + size * (LEADING - 1):
                return size, lines
        elif "\n" not in text and font.width(text, size) <= width and size <= height:
            return size, [text]
        size -= 0.5
    raise FieldDoesNotFit(fld.name, f"too long to show in full even at {MIN_SIZE:g} pt")


def appearance(widget: Widget, size: float, lines: list[str], font: Font, multiline: bool) -> bytes:
    """Return the content of a text widget's normal appearance: frame, then the text, clipped."""
    ascent = font.ascent * size / 1000
    if multiline:
        y = widget.height - PADDING - ascent
    else:
        y = (widget.height - (font.ascent - font.descent) * size / 1000) / 2 - font.descent * size / 1000
    leading = size * LEADING
    text = [f"{RESOURCE_NAME} {size:g} Tf 0 g {PADDING:g} {y:.2f} Td {leading:.2f} TL".encode()]
    text += [font.encode(line) + (b" Tj" if i == 0 else b" '") for i, line in enumerate(lines)]
    clip = f"{PADDING / 2:g} {PADDING / 2:g} {widget.width - PADDING:g} {widget.height - PADDING:g} re W n"
    return widget.frame + b"/Tx BMC\nq\n" + clip.encode() + b"\nBT\n" + b"\n".join(text) + b"\nET\nQ\nEMC\n"


def _stream(content: bytes, extra: bytes) -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def _xobject(widget: Widget, content: bytes, font_ref: int) -> bytes:
    extra = (
        f"/Type /XObject /Subtype /Form /BBox [0 0 {widget.width:g} {widget.height:g}] "
        f"/Resources << /Font << {RESOURCE_NAME} {font_ref} 0 R >> >> "
    ).encode()
    return _stream(content, extra)


def _text_value(text: str) -> bytes:
    return _serialise(TextStringObject(text))


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


class PdfFiller:
    """Fills prepared templates; holds no per-request state, so one instance serves a worker."""

    def __init__(self, font: Font | None = None) -> None:
        self.font = font or default_font()

    def fields(self, template: Path) -> dict[str, Field]:
        """Return a template's fillable fields by name."""
        return prepare(template, self.font).fields

    def fill(self, template: Path, values: Mapping[str, str | bool], flatten: bool = False) -> bytes:
        """Return the template filled with `values`; flattened (no fields left) when asked."""
        t = prepare(template, self.font)
        unknown = sorted(set(values) - set(t.fields))
        if unknown:
            raise UnknownField(", ".join(unknown))
        update = _Update(t)
        drawn: dict[int, int] = {}  # widget object → appearance object
        for name, value in values.items():
            self._set(update, t.fields[name], value, drawn, flatten)
        if flatten:
            self._flatten(update, t, drawn)
        return update.write()

    def _set(
        self, update: _Update, fld: Field, value: str | bool, drawn: dict[int, int], flatten: bool
    ) -> None:
        if fld.kind == "checkbox":
            state = fld.on_state if value else "/Off"
            for w in fld.widgets:
                drawn[w.obj] = w.states.get(state, 0)
                if not flatten:
                    update.objects[w.obj] = (
                        w.raw
                        + f"/V {state} /AS {state} /AP << /N << ".encode()
                        + b" ".join(f"{k} {v} 0 R".encode() for k, v in w.states.items())
                        + b" >> >> >>"
                    )
            return
        text = str(value)
        v = _text_value(text)
        if fld.obj is not None and not flatten:
            update.objects[fld.obj] = fld.raw + b"/V " + v + b" >>"
        for w in fld.widgets:
            size, lines = layout(text, fld, w, self.font) if text else (DEFAULT_SIZE, [])
            ap = update.new(
                _xobject(w, appearance(w, size, lines, self.font, fld.multiline), update.template.font_ref)
            )
            drawn[w.obj] = ap
            if not flatten:
                own_v = b"/V " + v + b" " if fld.obj is None else b""
                update.objects[w.obj] = w.raw + own_v + b"/AP << /N %d 0 R >> >>" % ap

    def _flatten(self, update: _Update, t: Template, drawn: dict[int, int]) -> None:
        """Draw every widget's appearance into its page, then drop the widgets and the AcroForm."""
        for page in t.pages.values():
            placements, names = [], {}
            for fld in t.fields.values():
                for w in fld.widgets:
                    if w.page != page.obj:
                        continue
                    ap = drawn.get(w.obj) or w.blank or (w.states.get("/Off") if w.states else None)
                    if not ap:
                        continue
                    name = f"/PwF{len(names)}"
                    names[name] = ap
                    placements.append(f"q 1 0 0 1 {w.x:g} {w.y:g} cm {name} Do Q")
            content = update.new(_stream("\n".join(placements).encode(), b""))
            xobjects = " ".join(f"{n} {o} 0 R" for n, o in names.items())
            resources = _serialise(page.resources).rstrip()[:-2]
            old = page.resources.get("/XObject")
            if old is not None:
                xobjects += " " + _serialise(old.get_object()).strip()[2:-2].decode("latin-1")
                resources = _open_dict(page.resources, ("/XObject",))
            resources += b"/XObject << " + xobjects.encode("latin-1") + b" >> >>"
            annots = (
                b" /Annots [%s]" % b" ".join(b"%d 0 R" % a for a in page.other_annots)
                if page.other_annots
                else b""
            )
            update.objects[page.obj] = (
                page.raw
                + b"/Resources "
                + resources
                + b" /Contents ["
                + page.contents
                + b" %d 0 R]" % content
                + annots
                + b" >>"
            )
        update.objects[t.root] = t.catalog_raw + b">>"
