"""The pages in Welsh and English: the catalogue is complete, the switch keeps its choice, Welsh cases in Welsh."""

from __future__ import annotations

import importlib.util

from tests.conftest import ROOT
from tests.conftest import council_toml
from tests.web.conftest import Page
from tests.web.conftest import at_council

WELSH_SERVICE = "Gwaith papur presenoldeb ysgol"
ENGLISH_SERVICE = "School attendance paperwork"


def _translations():
    spec = importlib.util.spec_from_file_location("translations", ROOT / "scripts" / "translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_page_string_has_welsh_and_the_compiled_catalogue_is_current(tmp_path):
    translations = _translations()
    pot = tmp_path / "messages.pot"
    translations.extract(pot)
    assert pot.read_text().count("msgid") > 10  # the extraction found the pages' strings
    assert translations.untranslated(pot) == []
    assert translations.MO.read_bytes() == translations.compiled()


def test_english_unless_the_browser_prefers_welsh(client):
    english = Page(
        client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,cy;q=0.5"}).get_data(as_text=True)
    )
    welsh = Page(
        client.get("/", headers={"Accept-Language": "cy-GB,cy;q=0.9,en;q=0.5"}).get_data(as_text=True)
    )
    assert english.find("html")[0].attrs["lang"] == "en" and ENGLISH_SERVICE in english.title
    assert welsh.find("html")[0].attrs["lang"] == "cy" and WELSH_SERVICE in welsh.title


def test_the_switch_keeps_the_choice_in_a_cookie(client):
    page = Page(client.get("/upload").get_data(as_text=True))
    (link,) = [a for a in page.find("a") if a.attrs.get("hreflang") == "cy"]
    assert "?" not in link.attrs["href"]
    response = client.get(link.attrs["href"])
    assert response.status_code == 303 and response.headers["Location"].endswith("/upload")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("attendance_language=cy;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    again = Page(client.get("/upload", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert again.find("html")[0].attrs["lang"] == "cy" and WELSH_SERVICE in again.title


def test_an_unknown_language_or_page_is_not_found(client):
    assert client.get("/language/fr/upload").status_code == 404
    assert client.get("/language/cy/report").status_code == 404


def test_a_welsh_councils_case_is_in_welsh_when_the_browser_accepts_welsh(officer, read, family, temp_council):
    westshire = temp_council(council_toml("westshire", country="wales"))
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9,cy;q=0.3"
    welsh = read(officer.upload_case(family("welsh-holiday")))  # Wales from the case's council_details
    filed = read(officer.upload_case(at_council(family("welsh-holiday"), westshire)))  # from its file
    english = read(officer.upload_case(family("holiday-two-children")))
    assert welsh.find("html")[0].attrs["lang"] == "cy"
    assert filed.find("html")[0].attrs["lang"] == "cy"
    assert english.find("html")[0].attrs["lang"] == "en"
    officer.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB"
    assert read(officer.upload_case(family("welsh-holiday"))).find("html")[0].attrs["lang"] == "en"


def test_the_report_pages_switch_posts_the_case_back(officer, read, family):
    page = read(officer.upload_case(family("holiday-two-children")))
    (button,) = [b for b in page.find("button") if b.attrs.get("name") == "language"]
    assert button.attrs["form"] == "case-form" and button.attrs["value"] == "cy"
    assert page.by_id("case-form").tag == "form"
    welsh = read(officer.resubmit(page, language="cy"))
    assert welsh.find("html")[0].attrs["lang"] == "cy"
    assert welsh.hidden("case") == page.hidden("case")
