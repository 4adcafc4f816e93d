"""Read `docgen archive report retention --format json` on stdin, for the demo.

Usage: ... | python retention_candidates.py ids       (one candidate record ID a line)
       ... | python retention_candidates.py summary   (candidates and the report's counts)
"""

from __future__ import annotations

import json
import sys

CANDIDATE = "銷毀候選"


def main(mode: str) -> None:
    report = json.load(sys.stdin)
    rows = [row for row in report["rows"] if row["section"] == CANDIDATE]
    if mode == "ids":
        print("\n".join(dict.fromkeys(row["record_id"] for row in rows)))
        return
    for row in rows:
        since = f"候選自 {row['candidate_from']}"
        print(f"  {row['record_id']}  {row['case_name']}  {since}  {row['path']}")
    for key, value in report["summary"].items():
        if not key.startswith(("保存年限表", "注意")):
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main(sys.argv[1])
