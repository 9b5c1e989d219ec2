"""Render the `Message`s of pure modules (`ptce.core.text`) in the active language."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext, ngettext

from ptce.core.text import Message

__all__ = ["translate"]


def _number(value: int) -> str:
    return str(formats.number_format(value, force_grouping=True))


def translate(text: Message | str) -> str:
    """A message of a pure module (or a marked template string) in the active language;
    French when no language is chosen. Nested messages are translated too."""
    if isinstance(text, Message):
        return text.render(gettext, ngettext, _number)
    return gettext(text) if text else ""
