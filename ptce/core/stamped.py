"""A value built once per process and rebuilt when its source changes: the directory's
in-memory indexes (`actors.map_index`, `actors.facet_index`). The source's stamp (counts, last update
times) is checked at most every `check_seconds`; `reset` forgets the value at once."""

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
    ) -> None:
        self._build, self._stamp, self.check_seconds = build, stamp, check_seconds
        self._lock = threading.Lock()
        self._value: T | None = None
        self._built_from: Any = None
        self._checked = 0.0

    def get(self) -> T:
        value = self._value
        if value is not None and time.monotonic() - self._checked < self.check_seconds:
            return value
        with self._lock:
            stamp = self._stamp()
            if self._value is None or self._built_from != stamp:
                self._value, self._built_from = self._build(), stamp
            self._checked = time.monotonic()
            return self._value

    def reset(self) -> None:
        with self._lock:
            self._value, self._built_from, self._checked = None, None, 0.0
