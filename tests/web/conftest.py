"""Helpers for the page tests: an HTML reader (stdlib html.parser) and a client that fills in the CSRF token."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from html.parser import HTMLParser
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

from service.case.fields import upn_check_letter
from tests.conftest import EXAMPLES
from tests.conftest import certificate_pdf
from tests.conftest import council_toml
from tests.conftest import make_pdf

URL_ATTRIBUTES = ("href", "action", "formaction", "src")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


@dataclass
class Page(HTMLParser):
    """A parsed page: every element with its attributes, the text of labels, links, headings and titles."""

    html: str
    elements: list[Element] = field(default_factory=list)
    _open: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.feed(self.html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in ("input", "br", "link", "meta", "img"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for n in range(len(self._open) - 1, -1, -1):
            if self._open[n].tag == tag:
                del self._open[n:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str, **attrs: str) -> list[Element]:
        """Return the elements of a tag whose attributes have these values (`class_` means `class` contains)."""
        out = []
        for e in self.elements:
            if e.tag != tag:
                continue
            if all(
                (v in e.attrs.get("class", "").split()) if k == "class_" else e.attrs.get(k) == v
                for k, v in attrs.items()
            ):
                out.append(e)
        return out

    def ids(self) -> set[str]:
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}

    def by_id(self, element_id: str) -> Element:
        (found,) = [e for e in self.elements if e.attrs.get("id") == element_id]
        return found

    @property
    def title(self) -> str:
        return " ".join(self.find("title")[0].text.split())

    def error_links(self) -> list[Element]:
        """Return the links of the GOV.UK error summary."""
        return [e for e in self.find("a") if "data-code" in e.attrs]

    def urls(self) -> list[str]:
        return [e.attrs[a] for e in self.elements for a in URL_ATTRIBUTES if a in e.attrs]

    def hidden(self, name: str) -> list[str]:
        return [e.attrs.get("value", "") for e in self.find("input", type="hidden", name=name)]

    def text_of(self, element: Element) -> str:
        return " ".join(element.text.split())


def token(client: Any) -> str:
    """Return a CSRF token for this client's session (from the upload page)."""
    html = client.get("/upload").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


class Officer:
    """A test client that posts the pages' forms as a browser would, with the session's CSRF token."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.token = token(client)

    def upload(self, name: str | None, **files: bytes | list[bytes]) -> Any:
        """Post the upload form: an example case (or none) and attachments by kind."""
        data: dict[str, Any] = {"csrf_token": self.token}
        if name is not None:
            data["case"] = (io.BytesIO((EXAMPLES / f"{name}.json").read_bytes()), f"{name}.json")
        for kind, content in files.items():
            contents = content if isinstance(content, list) else [content]
            data[kind] = [(io.BytesIO(c), f"{kind}-{n}.pdf") for n, c in enumerate(contents)]
        return self.post("/report", data)

    def upload_case(self, case: dict[str, Any], **files: bytes | list[bytes]) -> Any:
        """Post the upload form with a case built in the test (from an example) and attachments by kind."""
        data: dict[str, Any] = {"csrf_token": self.token}
        data["case"] = (io.BytesIO(json.dumps(case).encode()), "case.json")
        for kind, content in files.items():
            contents = content if isinstance(content, list) else [content]
            data[kind] = [(io.BytesIO(c), f"{kind}-{n}.pdf") for n, c in enumerate(contents)]
        return self.post("/report", data)

    def post(self, path: str, data: dict[str, Any]) -> Any:
        """Post a multipart body built in memory (the test client spools big bodies to unclosed temp files)."""
        fields: MultiDict[str, Any] = MultiDict()
        for name, value in data.items():
            for item in value if isinstance(value, list) else [value]:
                fields.add(name, FileStorage(item[0], item[1]) if isinstance(item, tuple) else item)
        boundary, body = encode_multipart(fields)
        return self.client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")

    def resubmit(self, page: Page, path: str = "/report", **fields: Any) -> Any:
        """Post the report page's form back (its hidden fields), with these buttons or files."""
        data: dict[str, Any] = {
            "csrf_token": self.token,
            "case": page.hidden("case")[0],
            "carried": page.hidden("carried"),
        }
        data.update(fields)
        return self.post(path, data)


@pytest.fixture
def officer(client: Any) -> Officer:
    return Officer(client)


@pytest.fixture
def read() -> Callable[[Any], Page]:
    return lambda response: Page(response.get_data(as_text=True))


def holiday_files(refusal: bool = True) -> dict[str, Any]:
    """Return what a holiday request asks for in the family `holiday-two-children` (two pupils, leave
    requested): each child's attendance certificate, the parents' request and the school's refusal."""
    files: dict[str, Any] = {
        "attendance_certificate": [
            certificate_pdf("Fairweather, Zoë"),
            certificate_pdf("Fairweather, Alfie"),
        ],
        "leave_request_form": make_pdf(["Leave of absence request form", "Submitted 01/09/2026"]),
    }
    if refusal:
        files["refusal_letter"] = make_pdf(["Dear parents", "Your request for leave has been refused."])
    return files


def three_siblings(family: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """Return the family `holiday-two-children` with a third sibling, Ivy, born in 2022: under five when
    the absence began."""
    data = family("holiday-two-children")
    body = "865204225013"
    ivy = {**data["pupils"][1], "upn": upn_check_letter("A" + body) + body, "forename": "Ivy"}
    data["pupils"].append({**ivy, "date_of_birth": "2022-01-10"})
    return data


# A council whose holiday request asks what most published holiday forms ask: the certificate, and either
# the parents' request with the school's refusal (leave was asked for) or the school's letter saying the
# absence was not authorised (it was not): one item is always "not needed" for a case.
HOLIDAY_CHECKLIST = """
[[documents.generic-request.attachments]]
item = "attendance_certificate"
label = "Attendance certificate showing the unauthorised absence"
kinds = ["attendance_certificate"]

[[documents.generic-request.attachments]]
item = "leave_request_form"
label = "The parents' leave of absence request"
kinds = ["leave_request_form"]
when = "leave_requested"

[[documents.generic-request.attachments]]
item = "refusal_letter"
label = "The letter refusing the leave"
kinds = ["refusal_letter"]
when = "leave_requested"

[[documents.generic-request.attachments]]
item = "holiday_letter"
label = "The letter saying the absence was not authorised, as a holiday"
kinds = ["holiday_letter"]
when = "leave_not_requested"

[documents.attendance-letter-1]
source = "code"

[documents.attendance-letter-2]
source = "code"
"""


@pytest.fixture
def holiday_council(temp_council: Callable[..., Any]) -> Any:
    """Return a fictional council (`holidayshire`) with the holiday checklist above."""
    return temp_council(council_toml("holidayshire", extra=HOLIDAY_CHECKLIST))


def at_council(data: dict[str, Any], council: Any) -> dict[str, Any]:
    """Return a case sent to a council that has a file (the no-file council's details dropped)."""
    moved = {**data, "council": council.id}
    moved.pop("council_details", None)
    return moved
