"""The population of a sample, its hash, the default seed and the draw (R6.2, R6.3).

Everything here can be recomputed by an auditor with a short script (Python's
``hashlib`` has both hash functions used):

* **Canonical line** of a query: the JSON array of its 11 fields, in this order —
  查詢日期時間 as ``YYYY-MM-DDTHH:MM:SS``, 查詢人員帳號, 被查詢人身分證統一編號,
  被查詢人姓名, 查詢項目, 公文文號, 案號, 案件名稱, 使用目的, 法令依據, 查詢人員單位
  (as logged, "" when absent) — written without spaces and with non-ASCII characters
  as they are (Python: ``json.dumps(fields, ensure_ascii=False, separators=(",", ":"))``),
  encoded as UTF-8 and followed by one line feed (0x0A).
* **Population** of a unit: its queries of the period, numbered ``i = 1, 2, …, N`` in
  log order (the files in the order given, each from top to bottom).
* **Population hash**: SHA-256 of the concatenated canonical lines in that order.
* **Default seed**: the first 16 hex digits of SHA-256 of the UTF-8 text
  ``docgen-seed-v1|<period>|<unit>|<population hash>`` (e.g. ``…|2026-10|企劃室|…``);
  ``--seed`` replaces it by any text.
* **Draw** (``docgen-rank-v2``): take ``8 × N`` bytes of SHAKE256 output of the seed's
  UTF-8 bytes; case ``i``'s rank is the 8 bytes at ``8 × (i − 1)``, read as an
  unsigned big-endian number; the ``n`` cases with the smallest ranks (equal ranks:
  the smaller ``i`` first) are the sample. Python::

      stream = hashlib.shake_256(seed.encode("utf-8")).digest(8 * N)
      ranked = sorted(range(1, N + 1), key=lambda i: stream[8 * (i - 1) : 8 * i])
      sample = sorted(ranked[:n])

  The seed is tied to every canonical line through the population hash; the ranks
  are independent uniform numbers, so this is a uniform draw without replacement
  that does not depend on any library's random generator.
* **Case key** (on the sheet and in the stored sample): ``<i>:<HMAC-SHA256 of the
  case's canonical line, hex>``, keyed with the workspace's secret
  (:func:`docgen.audit.samples.case_key_secret`). It ties a sheet row to its query;
  being keyed, it cannot be used to recover a masked ID or name by hashing guesses.

Memory stays small for a million queries: a population keeps its running hash; the
ranks take 8 bytes per case while drawing.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

ALGORITHM = "docgen-rank-v2"
ALGORITHM_TEXT = (
    "docgen-rank-v2：各件依日誌順序編號 i＝1…N，取種子（UTF-8）之 SHAKE256 輸出 8N 位元組，"
    "第 i 件之序值為第 8(i−1) 位元組起之 8 位元組（大端序無號整數），取序值最小之 n 件為樣本"
    "（同值取 i 較小者；均勻、不重複抽樣）"
)
ALGORITHM_TEXT_EN = (
    "docgen-rank-v2: number the cases i = 1…N in log order; case i's rank is the 8 bytes "
    "at 8(i−1) of SHAKE256(<seed>) (8N bytes), read as a big-endian number; the n "
    "smallest ranks are the sample (equal ranks: smaller i first; uniform, without "
    "replacement)"
)
_RANK = 8
#: JSON string encoding without escaping non-ASCII (the C function json.dumps uses).
_QUOTE: Callable[[str], str] = getattr(json.encoder, "c_encode_basestring", None) or (
    json.encoder.py_encode_basestring
)
#: Between two fields of the line when neither needs escaping.
_SEPARATOR = '","'
#: What JSON escapes besides '"' and the line feeds that end the lines (bytes < 0x20
#: occur in UTF-8 only as these characters).
_CONTROLS_BUT_LF = [bytes([c]) for c in (*range(10), *range(11, 32), ord("\\"))]


def iso_seconds(queried_at: datetime, text: str = "") -> str:
    """``queried_at`` as ``YYYY-MM-DDTHH:MM:SS``. ``text``, when given, must be what
    ``datetime.fromisoformat`` read ``queried_at`` from; in the common forms
    ``YYYY-MM-DD HH:MM:SS`` and ``YYYY-MM-DDTHH:MM:SS`` it is used as it is, which is
    several times faster than formatting the value."""
    if len(text) == 19:  # (shorter texts of this shape can carry a time zone)
        shape = text[4::3]  # the characters at 4, 7, 10, 13 and 16
        if shape == "-- ::":
            return text.replace(" ", "T")
        if shape == "--T::":
            return text
    return queried_at.isoformat(timespec="seconds")


def canonical_line(timestamp: str, fields: Sequence[str]) -> bytes:
    """The canonical line of one query (module docstring), with its line feed:
    ``timestamp`` from :func:`iso_seconds`, then the other 10 fields in order."""
    line = plain_line(timestamp, fields)
    return line if is_plain(line, 1) else _escaped_line(timestamp, fields)


def plain_line(timestamp: str, fields: Sequence[str]) -> bytes:
    """The canonical line as long as no field needs escaping (:func:`is_plain`)."""
    return f'["{timestamp}","{_SEPARATOR.join(fields)}"]\n'.encode()


def is_plain(lines: bytes, count: int) -> bool:
    """Whether ``count`` lines made by :func:`plain_line` (concatenated) are canonical:
    JSON escapes only '"', '\\' and control characters, so they must hold just their
    own 22 quotes each, no backslash and no control character but their line feeds."""
    return (
        lines.count(b'"') == 22 * count
        and lines.count(b"\n") == count
        and not any(control in lines for control in _CONTROLS_BUT_LF)
    )


def _escaped_line(timestamp: str, fields: Sequence[str]) -> bytes:
    return ("[" + ",".join(map(_QUOTE, [timestamp, *fields])) + "]\n").encode()


def default_seed(period: str, unit: str, population_sha256: str) -> str:
    """The seed used unless one is given: tied to the period, the unit and the population."""
    text = f"docgen-seed-v1|{period}|{unit}|{population_sha256}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def case_key(ordinal: int, digest_hex: str) -> str:
    """The key of case ``ordinal`` that the sheet and the results refer to."""
    return f"{ordinal}:{digest_hex}"


class Population:
    """One unit's queries of a period: their number and the population hash."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self._hash = hashlib.sha256()
        self._count = 0

    def extend(self, lines: bytes, count: int) -> None:
        """Add the next ``count`` queries' canonical lines, concatenated."""
        self._hash.update(lines)
        self._count += count

    def __len__(self) -> int:
        return self._count

    @property
    def sha256(self) -> str:
        """The population hash (SHA-256 of all canonical lines in order)."""
        return self._hash.hexdigest()

    def draw(self, seed: str, size: int) -> list[int]:
        """The ordinals of the ``size`` cases with the smallest ranks, in log order."""
        return draw_ordinals(seed, len(self), size)


def draw_ordinals(seed: str, population: int, size: int) -> list[int]:
    """``docgen-rank-v2`` (module docstring): of cases ``1…population``, the ``size``
    with the smallest ranks, in log order."""
    ranks = hashlib.shake_256(seed.encode("utf-8")).digest(_RANK * population)

    def rank(index: int) -> bytes:  # bytes compare as big-endian numbers do
        return ranks[_RANK * index : _RANK * index + _RANK]

    # heapq.nsmallest is stable: of equal ranks, the smaller index comes first.
    chosen = heapq.nsmallest(size, _contenders(ranks, population, size), key=rank)
    return sorted(index + 1 for index in chosen)


def _contenders(ranks: bytes, population: int, size: int) -> Iterable[int]:
    """Indices that include the ``size`` smallest ranks: those whose first byte is
    under a bound that about ``2 × size + 100`` of them fall below (any other rank is
    larger than all of these), or every index if fewer than ``size`` do."""
    expected = 2 * size + 100
    bound = -(-256 * expected // max(population, 1))  # first bytes 0 … bound − 1
    if bound >= 256:
        return range(population)
    below = bytes(0 if byte < bound else 1 for byte in range(256))
    firsts = ranks[::_RANK].translate(below)
    found = [match.start() for match in re.finditer(b"\x00", firsts)]
    return found if len(found) >= size else range(population)


def line_digest(line: bytes, secret: bytes) -> str:
    """The HMAC-SHA256 of a canonical line under the workspace's secret, as hex (for
    the case key)."""
    return hmac.new(secret, line, hashlib.sha256).hexdigest()
