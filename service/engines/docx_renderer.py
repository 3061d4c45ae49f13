"""Render DOCX letter templates with docxtpl in a sandboxed, autoescaping, strict Jinja environment."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate
from docxtpl import InlineImage
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


@dataclass(frozen=True)
class Image:
    """A picture for a template: PNG bytes and the width it prints at."""

    png: bytes
    width_mm: float


@lru_cache(maxsize=32)
def _template_bytes(path: Path) -> bytes:
    return path.read_bytes()


class _CompilingOnce(SandboxedEnvironment):
    """The sandbox, remembering each compiled template: docxtpl recompiles a part's XML on every render,
    which costs more than the render itself. The same XML always compiles to the same template."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined)
        self._compiled: dict[str, Any] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:  # noqa: A002
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= 64:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


_ENVIRONMENT = _CompilingOnce()


def environment() -> SandboxedEnvironment:
    """Return the Jinja environment: `{{ 7*7 }}` or `<b>&` in a name print as written; a missing
    variable fails loudly instead of printing nothing."""
    return _ENVIRONMENT


class DocxRenderer:
    """Renders a template with a context; one instance serves a worker (templates read once)."""

    def render(self, template: Path, context: Mapping[str, Any]) -> bytes:
        """Return the rendered DOCX."""
        tpl = DocxTemplate(io.BytesIO(_template_bytes(template)))
        tpl.render(_with_images(tpl, context), jinja_env=environment(), autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()

    def undeclared(self, template: Path) -> set[str]:
        """Return the variables a template uses (for the contract tests)."""
        tpl = DocxTemplate(io.BytesIO(_template_bytes(template)))
        return set(tpl.get_undeclared_template_variables(jinja_env=environment()))


def _with_images(tpl: DocxTemplate, value: Any) -> Any:
    """Replace Image values anywhere in the context by docxtpl InlineImages of this template."""
    if isinstance(value, Image):
        return InlineImage(tpl, io.BytesIO(value.png), width=Mm(value.width_mm))
    if isinstance(value, Mapping):
        return {k: _with_images(tpl, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_with_images(tpl, v) for v in value]
    return value
