"""Helpers of the web page tests: a rendered page parsed with the standard library."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class Page(HTMLParser):
    """A rendered page, parsed with the standard library: its elements' attributes and its text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._text: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append({"tag": tag, **{k: ("" if v is None else v) for k, v in attrs}})
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._text.append(data)

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        return re.sub(r"\s+", " ", " ".join(self._text)).strip()

    def find(self, tag: str | None = None, **attrs) -> list[dict]:
        """Elements with this tag and these attribute values (`class_` for class; True: present)."""
        wanted = {k.rstrip("_"): v for k, v in attrs.items()}

        def matches(element):
            for key, value in wanted.items():
                if value is True and key not in element:
                    return False
                if value is not True and element.get(key) != value:
                    return False
            return tag is None or element["tag"] == tag

        return [e for e in self.elements if matches(e)]

    def one(self, tag: str | None = None, **attrs) -> dict:
        """The only element matching."""
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, found)
        return found[0]

    def form_fields(self) -> dict[str, str]:
        """Every named input's value (checked boxes only; a select's selected option), as a browser sends."""
        values: dict[str, object] = {}
        select = None
        for element in self.elements:
            if element["tag"] == "select":
                select = element["name"]
                values.setdefault(select, "")
            elif element["tag"] == "option" and select and "selected" in element:
                values[select] = element.get("value", "")
            elif element["tag"] == "input" and element.get("name"):
                if element.get("type") == "checkbox":
                    if "checked" in element:
                        values.setdefault(element["name"], []).append(element.get("value", "on"))
                else:
                    values[element["name"]] = element.get("value", "")
        return values
