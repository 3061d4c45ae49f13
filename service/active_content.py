"""Active content in PDFs: what runs or opens something when a PDF is viewed, which has no place in evidence.

Found by walking every object pypdf can read (indirect objects, including those inside object streams,
and the dictionaries nested in them), never by searching the bytes: names can be escaped (`/J#61vaScript`)
and object streams are compressed. What counts (ISO 32000-1 §12.6 actions, §7.11.4 embedded files,
§12.7.8 XFA, §13.7 rich media):
- JavaScript (a /JS entry, a JavaScript action, the document's /Names /JavaScript tree);
- the document's /OpenAction when it is an action (a plain destination only says which page opens);
- additional actions (/AA) on the document, pages, annotations or fields;
- Launch, SubmitForm, ImportData, GoToE, GoToR, Rendition, Sound and Movie actions;
- embedded files (/EmbeddedFiles, /EmbeddedFile streams, file attachment annotations);
- XFA forms (/XFA in the AcroForm);
- rich media, 3D, screen, movie and sound annotations.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf import PdfWriter
from pypdf.generic import ArrayObject
from pypdf.generic import DictionaryObject
from pypdf.generic import IndirectObject
from pypdf.generic import NameObject
from pypdf.generic import PdfObject

from service.limits import TimeLimitExceeded

MAX_OBJECTS = 50_000  # beyond this the walk stops and the file counts as active (fail closed)
MAX_DEPTH = 64

RISKY_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "a launch action",
    "/SubmitForm": "a submit-form action",
    "/ImportData": "an import-data action",
    "/GoToE": "an action opening an embedded file",
    "/GoToR": "an action opening another file",
    "/Rendition": "a media action",
    "/Sound": "a sound action",
    "/Movie": "a movie action",
}
RISKY_ANNOTATIONS = {
    "/RichMedia": "rich media",
    "/3D": "3D content",
    "/Screen": "a media screen",
    "/Movie": "a movie",
    "/Sound": "a sound",
    "/FileAttachment": "an attached file",
}


class ActiveContentRemains(ValueError):
    """The rewrite could not take everything out: the file must be refused."""


def find(reader: PdfReader) -> list[str]:
    """Return what active content a PDF carries, in plain words (empty: none)."""
    found: set[str] = set()
    root = reader.trailer.get("/Root")
    root = root.get_object() if root is not None else None
    if isinstance(root, DictionaryObject):
        _catalog(root, found)
    count = 0
    for obj in _objects(reader):
        count += 1
        if count > MAX_OBJECTS:
            found.add(f"more than {MAX_OBJECTS:,} objects (not checked)")
            break
        _walk(obj, found, 0)
    return sorted(found)


def _catalog(root: DictionaryObject, found: set[str]) -> None:
    action = root.get("/OpenAction")
    if action is not None and isinstance(action.get_object(), DictionaryObject):
        found.add("an action when the document opens (OpenAction)")
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject):
        if "/JavaScript" in names:
            found.add("JavaScript")
        if "/EmbeddedFiles" in names:
            found.add("embedded files")
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if isinstance(form, DictionaryObject) and "/XFA" in form:
        found.add("an XFA form")


def _objects(reader: PdfReader) -> Iterator[PdfObject]:
    """Every indirect object in the file, those in object streams included."""
    numbers: set[tuple[int, int]] = set()
    for generation, table in reader.xref.items():
        numbers |= {(number, generation) for number in table}
    numbers |= {(number, 0) for number in reader.xref_objStm}
    for number, generation in sorted(numbers):
        try:
            obj = reader.get_object(IndirectObject(number, generation, reader))
        except TimeLimitExceeded:
            raise  # the caller's time limit, never swallowed
        except Exception:  # noqa: S112 - a damaged object is not active content; the reader skips it too
            continue
        if obj is not None:
            yield obj


def _walk(obj: PdfObject, found: set[str], depth: int) -> None:
    """Look at one object and the direct objects inside it (indirect ones are visited on their own)."""
    if depth > MAX_DEPTH:
        found.add("objects nested too deeply to check")
        return
    if isinstance(obj, ArrayObject):
        for item in obj:
            if not isinstance(item, IndirectObject):
                _walk(item, found, depth + 1)
        return
    if not isinstance(obj, DictionaryObject):
        return
    _look(obj, found)
    for value in obj.values():
        if not isinstance(value, IndirectObject):
            _walk(value, found, depth + 1)


def _look(d: DictionaryObject, found: set[str]) -> None:
    if "/JS" in d:
        found.add("JavaScript")
    if "/AA" in d:
        found.add("additional actions (AA)")
    kind = d.get("/S")
    if isinstance(kind, NameObject) and kind in RISKY_ACTIONS:
        found.add(RISKY_ACTIONS[kind])
    if d.get("/Type") == "/EmbeddedFile" or "/EF" in d:
        found.add("embedded files")
    if d.get("/Subtype") in RISKY_ANNOTATIONS and (d.get("/Type") in (None, "/Annot")):
        found.add(RISKY_ANNOTATIONS[d["/Subtype"]])
    if "/XFA" in d:
        found.add("an XFA form")


def remove(data: bytes) -> tuple[bytes, list[str]]:
    """Return the PDF rewritten without its active content, and what was removed.

    The pages are copied into a new document (their content, resources and annotations), which leaves
    behind everything document-level: open actions, the JavaScript and embedded-file name trees, XFA,
    outlines. Annotations that only carry media or files go; the others lose their actions."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    removed = find(reader)
    if not removed:
        return data, []
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    for page in writer.pages:
        page.pop("/AA", None)
        annots = page.get("/Annots")
        if annots is None:
            continue
        kept = ArrayObject()
        for ref in annots.get_object():
            annot = ref.get_object()
            if annot.get("/Subtype") in RISKY_ANNOTATIONS:
                continue
            _disarm(annot)
            kept.append(ref)
        page[NameObject("/Annots")] = kept
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)  # dropped annots
    out = io.BytesIO()
    writer.write(out)
    cleaned = out.getvalue()
    left = find(PdfReader(io.BytesIO(cleaned), strict=False))
    if left:
        raise ActiveContentRemains(left)
    return cleaned, removed


def _disarm(annot: DictionaryObject) -> None:
    """Take additional and risky actions off an annotation and the form fields above it."""
    seen: set[int] = set()
    node: PdfObject | None = annot
    while isinstance(node, DictionaryObject) and id(node) not in seen and len(seen) < MAX_DEPTH:
        seen.add(id(node))
        node.pop("/AA", None)
        action = node.get("/A")
        if action is not None and _risky(action.get_object()):
            del node["/A"]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None


def _risky(action: PdfObject) -> bool:
    return isinstance(action, DictionaryObject) and ("/JS" in action or action.get("/S") in RISKY_ACTIONS)
