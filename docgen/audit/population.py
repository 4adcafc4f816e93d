"""The population of a sample, its hash, the default seed and the draw (R6.2, R6.3).

Everything here can be recomputed by an auditor with any SHA-256 tool:

* **Canonical line** of a query: the JSON array of its 11 fields, in this order —
  查詢日期時間 as ``YYYY-MM-DDTHH:MM:SS``, 查詢人員帳號, 被查詢人身分證統一編號,
  被查詢人姓名, 查詢項目, 公文文號, 案號, 案件名稱, 使用目的, 法令依據, 查詢人員單位
  (as logged, "" when absent) — written without spaces and with non-ASCII characters
  as they are (Python: ``json.dumps(fields, ensure_ascii=False, separators=(",", ":"))``),
  encoded as UTF-8 and followed by one line feed (0x0A).
* **Population** of a unit: its queries of the period, numbered ``i = 1, 2, …`` in
  log order (the files in the order given, each from top to bottom).
* **Population hash**: SHA-256 of the concatenated canonical lines in that order.
* **Default seed**: the first 16 hex digits of SHA-256 of the UTF-8 text
  ``docgen-seed-v1|<period>|<unit>|<population hash>`` (e.g. ``…|2026-10|企劃室|…``);
  ``--seed`` replaces it by any text.
* **Draw** (``docgen-rank-v1``): each case ``i`` with canonical-line hash ``d_i`` (hex)
  gets the rank SHA-256 of the UTF-8 text ``<seed>:<i>:<d_i>``; the ``n`` cases with
  the smallest ranks (compared as hex) are the sample. This is a uniform draw without
  replacement that does not depend on any library's random generator.

Memory stays small for a million queries: a population keeps 32 bytes per case.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime

ALGORITHM = "docgen-rank-v1"
ALGORITHM_TEXT = (
    "docgen-rank-v1：各件依日誌順序編號 i，以 SHA-256(「種子:i:該件標準列之SHA-256」) "
    "由小到大排序，取前 n 件為樣本（均勻、不重複抽樣）"
)
ALGORITHM_TEXT_EN = (
    "docgen-rank-v1: number the cases i in log order, rank each by "
    "SHA-256('<seed>:<i>:<SHA-256 of its canonical line>') and take the n smallest "
    "(uniform, without replacement)"
)
_DIGEST = 32
#: What JSON escapes when non-ASCII is kept as is; other text is quoted verbatim.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
#: JSON string encoding without escaping non-ASCII (the C function json.dumps uses).
_QUOTE: Callable[[str], str] = getattr(json.encoder, "c_encode_basestring", None) or (
    json.encoder.py_encode_basestring
)


def canonical_fields(
    queried_at: datetime,
    account_id: str,
    subject_id: str,
    subject_name: str,
    item: str,
    justification: Sequence[str],
    unit: str,
) -> bytes:
    """The canonical line of one query (see the module docstring), with its line feed."""
    fields = [
        queried_at.isoformat(timespec="seconds"),
        account_id,
        subject_id,
        subject_name,
        item,
        *justification,
        unit,
    ]
    if _NEEDS_ESCAPE.search("".join(fields)):
        return ("[" + ",".join(map(_QUOTE, fields)) + "]\n").encode("utf-8")
    return ('["' + '","'.join(fields) + '"]\n').encode("utf-8")


def default_seed(period: str, unit: str, population_sha256: str) -> str:
    """The seed used unless one is given: tied to the period, the unit and the population."""
    text = f"docgen-seed-v1|{period}|{unit}|{population_sha256}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def case_key(ordinal: int, digest_hex: str) -> str:
    """The key of case ``ordinal`` that the sheet and the results refer to."""
    return f"{ordinal}:{digest_hex}"


class Population:
    """One unit's queries of a period, as canonical-line digests in log order."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self._hash = hashlib.sha256()
        self._digests = bytearray()

    def add(self, line: bytes) -> None:
        """Add the next query's canonical line (it becomes case ``len(self)``)."""
        self._hash.update(line)
        self._digests += hashlib.sha256(line).digest()

    def __len__(self) -> int:
        return len(self._digests) // _DIGEST

    @property
    def sha256(self) -> str:
        """The population hash (SHA-256 of all canonical lines in order)."""
        return self._hash.hexdigest()

    def digest(self, ordinal: int) -> str:
        """The canonical-line hash of case ``ordinal``, as hex."""
        start = (ordinal - 1) * _DIGEST
        return self._digests[start : start + _DIGEST].hex()

    def key(self, ordinal: int) -> str:
        return case_key(ordinal, self.digest(ordinal))

    def draw(self, seed: str, size: int) -> list[int]:
        """The ordinals of the ``size`` cases with the smallest ranks, in log order."""
        prefix = seed.encode("utf-8") + b":"
        view = memoryview(self._digests)

        def rank(ordinal: int) -> bytes:
            start = (ordinal - 1) * _DIGEST
            digest_hex = view[start : start + _DIGEST].hex().encode("ascii")
            return hashlib.sha256(
                prefix + str(ordinal).encode("ascii") + b":" + digest_hex
            ).digest()

        chosen = heapq.nsmallest(size, range(1, len(self) + 1), key=rank)
        return sorted(chosen)
