"""A value built once per process and rebuilt when its source changes: the directory's
in-memory indexes (`actors.map_index`, `actors.facet_index`). The source's `version` (a
number its writers raise: one cheap read) is compared on every `get`; its `stamp` (counts,
last update times: it also sees writes that raised no version) at most every
`check_seconds`; `reset` forgets the value at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Stamped(Generic[T]):
    def __init__(
        self,
        build: Callable[[], T],
        stamp: Callable[[], Any],
        check_seconds: float = 30.0,
        version: Callable[[], Any] = lambda: None,
    ) -> None:
        self._build, self._stamp, self.check_seconds = build, stamp, check_seconds
        self._version = version
        self._lock = threading.Lock()
        self._value: T | None = None
        self._built_from: Any = None
        self._built_version: Any = None
        self._checked = 0.0

    def get(self) -> T:
        value, version = self._value, self._version()
        if (
            value is not None
            and version == self._built_version
            and time.monotonic() - self._checked < self.check_seconds
        ):
            return value
        with self._lock:
            stamp = self._stamp()
            if self._value is None or self._built_from != stamp or self._built_version != version:
                # Read before the build: a write after it raises the version again.
                self._value, self._built_from, self._built_version = self._build(), stamp, version
            self._checked = time.monotonic()
            return self._value

    def reset(self) -> None:
        with self._lock:
            self._value, self._built_from, self._built_version = None, None, None
            self._checked = 0.0
