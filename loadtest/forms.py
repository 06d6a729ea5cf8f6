"""HTML forms as a browser would submit them, read with the standard library's HTMLParser.

The load test posts dialogs and the details pane back the way the page's form would, so changes
in the templates (hidden fields, a new select) are followed without touching the locustfile.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


class Form:
    """One HTML form as a browser would submit it: action, fields, selects and their options."""

    def __init__(self, attrs: dict[str, str]):
        self.attrs = attrs
        self.action = attrs.get("hx-post") or attrs.get("action") or ""
        self.inputs: dict[str, str] = {}  # name -> type
        self.values: dict[str, str] = {}
        self.order: list[str] = []
        self.selects: dict[str, list[str]] = {}
        self.confirm = False  # a submit button is there (not just Close/Cancel)

    def fields(self) -> list[tuple[str, str]]:
        return [(name, self.values.get(name, "")) for name in self.order if self.inputs.get(name) != "unchecked"]


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = Form(a)
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox" and "checked" not in a:
                kind = "unchecked"
            self._field(a["name"], kind, a.get("value", ""))
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            self._field(self.select, "select", "")
            self.form.selects[self.select] = []
        elif tag == "option" and self.select is not None:
            self.form.selects[self.select].append(a.get("value", ""))
            if "selected" in a:
                self.form.values[self.select] = a.get("value", "")
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.form.confirm = True

    def _field(self, name, kind, value):
        if name not in self.form.inputs:
            self.form.order.append(name)
        self.form.inputs[name] = kind
        self.form.values[name] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def find_form(html: str, marker: str, attr: str | None = None) -> Form | None:
    """The first form with the attribute `marker` (or whose `attr` contains `marker`)."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if (attr is None and marker in form.attrs) or (attr is not None and marker in form.attrs.get(attr, "")):
            return form
    return None


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
