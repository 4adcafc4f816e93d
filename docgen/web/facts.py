"""What several requests share, computed once: the obligations calendar of a day,
the duties that fall due (ISSUE 12, benchmarks/bench_web.py), and what a dashboard
shows of them to each kind of viewer. A value is kept for
:attr:`docgen.web.app.WebSettings.facts_ttl` (30 seconds by default) and then built
again; while one request builds it, the others asking for the same key wait for it
instead of building it too. A page says how old its facts are at most (docs).

A value made from other values (:meth:`Facts.derived`: a dashboard's part, made from
the calendar) is dated as its oldest source, not as the moment it was made, so it
never outlives what it was made from: what a command changed still shows within one
TTL. :meth:`Facts.clear` forgets everything at once.

Nothing here decides a rule: a cached value is what the library function returned.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Facts:
    """A small time-limited memo of one process, safe for its threads."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._lock = threading.Lock()
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value of ``key``, built by ``build`` when absent or older than the TTL."""
        return self.dated(key, build)[0]

    def dated(self, key: Hashable, build: Callable[[], T]) -> tuple[T, float]:
        """:meth:`get`, with when the value was built (:func:`time.monotonic`)."""
        return self._get(key, lambda: (build(), time.monotonic()))

    def derived(self, key: Hashable, build: Callable[[], tuple[T, float]]) -> T:
        """The value of ``key``, made by ``build`` from other facts: ``build`` returns
        the value and the time its oldest source was built (:meth:`dated`), and the
        value is kept only as long as that source would be."""
        return self._get(key, build)[0]

    def _get(self, key: Hashable, build: Callable[[], tuple[T, float]]) -> tuple[T, float]:
        if self.ttl <= 0:
            return build()
        found = self._fresh(key)
        if found is not None:
            return found[1], found[0]
        with self._lock:
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            found = self._fresh(key)
            if found is not None:
                return found[1], found[0]
            value, at = build()
            with self._lock:
                self._values[key] = (at, value)
                for old in [k for k, (when, _v) in self._values.items() if self._stale(when)]:
                    del self._values[old]
                    gone = self._building.get(old)
                    if old != key and gone is not None and not gone.locked():
                        del self._building[old]  # a day's or a viewer's keys end
            return value, at

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def _stale(self, at: float) -> bool:
        return time.monotonic() - at > self.ttl

    def _fresh(self, key: Hashable) -> tuple[float, Any] | None:
        with self._lock:
            found = self._values.get(key)
        return found if found is not None and not self._stale(found[0]) else None
