"""A value built once per process and rebuilt when its source changes: the directory's
in-memory indexes (`actors.map_index`, `actors.facet_index`).

The source's `version` (a number its writers raise after each committed change: one cheap
read) is compared on every `get`; its `stamp` (counts, last update times: it also sees writes
that raised no version) at most every `check_seconds`. When the value is out of date:

* if its last build was quick (under `background_after` seconds: every directory of a hub
  or a region), `get` rebuilds it before answering, so a change shows in the very next
  answer;
* if it was slow (a national directory: seconds), `get` answers with the value it holds
  and a thread rebuilds it (one at a time), so that no request waits for a build after
  someone else's edit; the new value replaces the old one when it is ready.

`reset` forgets the value: the next `get` builds it before answering. `expire` keeps it
but counts it out of date: the next `get` rebuilds it, waiting or beside as above.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_EXPIRED = object()  # a built version no source has: the next check rebuilds

logger = logging.getLogger(__name__)


class Stamped(Generic[T]):
    def __init__(
        self,
        build: Callable[[], T],
        stamp: Callable[[], Any],
        check_seconds: float = 30.0,
        version: Callable[[], Any] = lambda: None,
        *,
        background_after: float = 1.0,
        thread_done: Callable[[], None] = lambda: None,
    ) -> None:
        """`thread_done` runs at the end of a background rebuild, in its thread (to close
        the database connection the thread opened)."""
        self._build, self._stamp, self._version = build, stamp, version
        self.check_seconds, self.background_after = check_seconds, background_after
        self._thread_done = thread_done
        self._lock = threading.Lock()  # one build at a time
        self._value: T | None = None
        self._built_from: Any = None
        self._built_version: Any = None
        self._checked = 0.0
        self._build_seconds = 0.0
        self._refreshing = False
        self._generation = 0  # raised by reset: a rebuild started before it is dropped

    @property
    def refreshing(self) -> bool:
        """Whether a background rebuild is running."""
        return self._refreshing

    def get(self) -> T:
        value, version = self._value, self._version()
        if value is not None:
            due = time.monotonic() - self._checked >= self.check_seconds
            if version == self._built_version and not due:
                return value
            if self._build_seconds >= self.background_after:
                self._refresh_in_background()
                return value
        with self._lock:
            self._refresh(version)
            assert self._value is not None
            return self._value

    def expire(self) -> None:
        with self._lock:
            if self._value is not None:
                self._built_version = _EXPIRED

    def reset(self) -> None:
        with self._lock:
            self._value, self._built_from, self._built_version = None, None, None
            self._checked = 0.0
            self._generation += 1

    def _refresh(self, version: Any) -> None:
        """Check the stamp and rebuild if the value is missing or out of date (under the
        lock). The version is read before the build: a write after it raises it again."""
        stamp = self._stamp()
        if self._value is None or self._built_from != stamp or self._built_version != version:
            started = time.perf_counter()
            value = self._build()
            self._build_seconds = time.perf_counter() - started
            self._value, self._built_from, self._built_version = value, stamp, version
        self._checked = time.monotonic()

    def _refresh_in_background(self) -> None:
        with self._lock:
            if self._refreshing:
                return
            self._refreshing = True
            generation = self._generation
        threading.Thread(
            target=self._background, args=(generation,), name="stamped-rebuild", daemon=True
        ).start()

    def _background(self, generation: int) -> None:
        try:
            version = self._version()  # as this thread's connection sees it
            stamp = self._stamp()
            if self._built_from != stamp or self._built_version != version:
                started = time.perf_counter()
                value = self._build()
                seconds = time.perf_counter() - started
                with self._lock:
                    if generation == self._generation:  # not reset meanwhile
                        self._value, self._built_from = value, stamp
                        self._built_version, self._build_seconds = version, seconds
            self._checked = time.monotonic()
        except Exception:  # the old value keeps serving; the next check tries again
            logger.exception("background rebuild failed")
        finally:
            self._refreshing = False
            self._thread_done()
