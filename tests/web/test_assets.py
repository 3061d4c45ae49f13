"""The vendored GOV.UK Frontend files match the pinned npm package, and the Jinja port matches that version."""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "service" / "web" / "static" / "govuk"
PACKAGE = ROOT / "node_modules" / "govuk-frontend"
# govuk-frontend-jinja's README, "Compatibility": the GOV.UK Frontend release each version ports.
JINJA_PORTS = {"4.1.0": "6.3.0"}


def pinned(name: str) -> str:
    return json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["devDependencies"][name]


def test_jinja_port_matches_the_pinned_frontend():
    assert JINJA_PORTS[version("govuk-frontend-jinja")] == pinned("govuk-frontend")
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert f"govuk-frontend-jinja=={version('govuk-frontend-jinja')}" in requirements


def test_vendored_javascript_is_the_pinned_version():
    script = (VENDORED / "govuk-frontend.min.js").read_text(encoding="utf-8")
    assert re.match(r'const version="([\d.]+)"', script).group(1) == pinned("govuk-frontend")


@pytest.mark.parametrize("name", ["govuk-frontend.min.css", "govuk-frontend.min.js"])
def test_vendored_files_equal_the_npm_package(name):
    if not PACKAGE.is_dir():
        pytest.skip("node_modules/ is not installed: run scripts/setup (npm ci)")
    assert (VENDORED / name).read_bytes() == (PACKAGE / "dist" / "govuk" / name).read_bytes(), (
        "run `npm run vendor` after changing the govuk-frontend pin"
    )


def test_lockfile_pins_what_package_json_pins():
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    for name in ("govuk-frontend", "axe-core"):
        assert lock["packages"][f"node_modules/{name}"]["version"] == pinned(name)
