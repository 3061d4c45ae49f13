"""Council files: a bad file stops the start naming the file and the field; a deployment's directory
adds councils or corrects shipped ones, with no Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import councils
from service import create_app

MINIMAL = """
id = "{id}"
name = "Testshire Council"
country = "{country}"
source = "page"
not_published = ["submission", "contact", "deadlines", "request_per", "term_dates", "notice_to_improve"]

[sources.page]
title = "Testshire: penalty notices"
url = "https://testshire.example.gov.uk/penalty-notices"
read = 2026-12-01

[documents.generic-request]
source = "page"
"""


@pytest.fixture
def council_dir(tmp_path: Path):
    """A deployment's council directory; the shipped registry is restored afterwards."""
    yield tmp_path
    councils.load(again=True)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        (("country = \"england\"", "country = \"scotland\""), "country", "must be one of"),
        (("read = 2026-12-01", "read = \"yesterday\""), "sources.page.read", "TOML date"),
        (("source = \"page\"\nnot_published", "source = \"nowhere\"\nnot_published"), "source", "unknown source"),
        (('"submission", ', ""), "submission", "give this fact, or list it in not_published"),
        (("[documents.generic-request]", "[documents.no-such-form]"), "documents.no-such-form",
         "no such document"),
        (("title = ", "titel = "), "sources.page.title", "Missing data"),
        (('id = "testshire"', 'id = "other-name"'), "id", "must match the file name"),
        (("[sources.page]", "[sources.page"), "(file)", "not valid TOML"),
    ],
)
def test_a_bad_file_stops_the_start_naming_file_and_field(council_dir, change, where, says):
    text = MINIMAL.replace("{id}", "testshire").replace("{country}", "england").replace(*change)
    path = write(council_dir, "testshire", text)
    with pytest.raises(councils.CouncilFileError) as info:
        create_app({"TESTING": True, "COUNCILS_DIR": str(council_dir)})
    assert info.value.path == str(path)
    assert info.value.where == where
    assert says in info.value.message
    assert str(path) in str(info.value) and where in str(info.value)


def test_a_missing_directory_stops_the_start(council_dir):
    with pytest.raises(councils.CouncilFileError, match="not a directory"):
        create_app({"TESTING": True, "COUNCILS_DIR": str(council_dir / "absent")})


def test_a_file_in_the_directory_adds_a_council_and_borrows_the_national_rules(council_dir):
    write(council_dir, "testshire", MINIMAL.format(id="testshire", country="wales"))
    create_app({"TESTING": True, "COUNCILS_DIR": str(council_dir)})
    added = councils.get("testshire")
    assert added.threshold == councils.national("wales").threshold
    assert added.source_of(added.threshold.source).title.startswith("Welsh Government")
    assert added.source_of("page").url == "https://testshire.example.gov.uk/penalty-notices"


def test_a_file_in_the_directory_replaces_a_shipped_one_of_the_same_name(council_dir):
    shipped = councils.all()[0]
    text = Path(shipped.file).read_text(encoding="utf-8").replace(shipped.name, "Corrected Name Council", 1)
    write(council_dir, shipped.id, text)
    create_app({"TESTING": True, "COUNCILS_DIR": str(council_dir)})
    assert councils.get(shipped.id).name == "Corrected Name Council"
    assert len(councils.all()) == len(councils.load(again=True))


def test_the_environment_variable_names_the_directory(council_dir, monkeypatch):
    write(council_dir, "testshire", MINIMAL.format(id="testshire", country="england"))
    monkeypatch.setenv(councils.ENV_DIR, str(council_dir))
    create_app({"TESTING": True})
    assert "testshire" in councils.ids()
