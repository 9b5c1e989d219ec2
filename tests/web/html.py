"""A small HTML reader for the page tests: elements with their attributes, and text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

_SPACES = re.compile(r"[ \t\r\n]+")


def squash(text: str) -> str:
    """Collapse ASCII white space (keeping the no-break spaces of French numbers)."""
    return _SPACES.sub(" ", text).strip()


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in {"meta", "link", "input", "br", "img", "hr", "source", "area", "wbr"}:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.elements if e.attrs.get("id") == element_id), None)

    def text_of(self, tag: str) -> list[str]:
        return [squash(e.text) for e in self.find_all(tag)]

    def facts(self) -> dict[str, str]:
        """The <dt> → <dd> pairs of the page's description lists."""
        terms = [squash(e.text) for e in self.elements if e.tag == "dt"]
        values = [squash(e.text) for e in self.elements if e.tag == "dd"]
        return dict(zip(terms, values, strict=True))
