"""What several requests share, computed once: the obligations calendar of a day and
the duties that fall due (ISSUE 12, benchmarks/bench_web.py). A value is kept for
:attr:`docgen.web.app.WebSettings.facts_ttl` (30 seconds by default) and then built
again; while one request builds it, the others asking for the same key wait for it
instead of building it too. A page says how old its facts are at most (docs).

Nothing here decides a rule: a cached value is what the library function returned.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Facts:
    """A small time-limited memo, safe for waitress's threads."""

    def __init__(self, ttl_seconds: float) -> None:
        self.ttl = ttl_seconds
        self._lock = threading.Lock()
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value of ``key``, built by ``build`` when absent or older than the TTL."""
        if self.ttl <= 0:
            return build()
        found = self._fresh(key)
        if found is not None:
            return found[1]
        with self._lock:
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            found = self._fresh(key)
            if found is not None:
                return found[1]
            value = build()
            with self._lock:
                self._values[key] = (time.monotonic(), value)
                for old in [k for k, (at, _v) in self._values.items() if self._stale(at)]:
                    del self._values[old]
            return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def _stale(self, at: float) -> bool:
        return time.monotonic() - at > self.ttl

    def _fresh(self, key: Hashable) -> tuple[float, Any] | None:
        with self._lock:
            found = self._values.get(key)
        return found if found is not None and not self._stale(found[0]) else None
