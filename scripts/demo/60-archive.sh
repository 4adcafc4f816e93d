#!/usr/bin/env bash
# Demo step 60: the archive. The records the demo produced (forms, audit outputs,
# account lists, packages, the supervisors' evidence) are dropped into the inbox and
# filed by one reconcile; then the archive reports as of the example office's review
# date, the auditors' evidence check of 2026-10, and an approved disposal with a hold.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?run this through scripts/demo.sh (it sets WS)}"
as_of="2026-11-30"
here="$(cd "$(dirname "$0")" && pwd)"
inbox="$WS/archive/inbox"
approval="北市市企字第1150012345號"  # the 發文字號 approving the destruction list
approver="處長 林志明"                 # who approved it (never the one who disposes)
approved_on="115/11/20"
clerk="秘書室 郭淑惠"  # who holds, disposes and releases (default: the login name)

echo "An older record the office keeps: 企劃室's 附件4 月抽查 for 2023-05, reviewed by the"
echo "director on 2023-06-15 (data/forms/附件4_月抽查_2023-05.yaml), filled as DOCX and PDF:"
docgen -w "$WS" forms fill 4 "$WS/data/forms/附件4_月抽查_2023-05.yaml" --variant monthly \
  -o "$WS/out/forms/2023-05" --pdf
echo

echo "Copying the records under out/ (forms, audit, accounts, packages) into the inbox;"
echo "other files, such as the calendar .ics, are not records and stay out:"
mkdir -p "$inbox"
for folder in forms audit accounts packages; do
  cp -Rp "$WS/out/$folder" "$inbox/"
done
echo "  $(find "$inbox" -type f ! -name '*.meta.yaml' | wc -l) files (and their sidecars) in archive/inbox/"
echo

echo "Filing them with one reconcile (what 'docgen archive watch' does on its own): each"
echo "file is hashed, classified and moved under archive/records/<category>/<ROC year>/."
DOCGEN_ARCHIVE_STABLE_SECONDS=1 docgen -w "$WS" archive scan >"$WS/out/archive-scan.log"
awk '$2 ~ /^records\// {split($2, p, "/"); print $1, p[2]}' "$WS/out/archive-scan.log" \
  | sort | uniq -c | sed 's/^ */  /'
echo "  (the full list is in out/archive-scan.log)"
echo
echo "Each evidence PDF arrived with a sidecar saying what it is (no embedded metadata), e.g.:"
sed 's/^/  /' "$WS/out/audit/2026-10/佐證/查詢紀錄佐證_2026-10_企劃室_1.meta.yaml"
echo

echo "Destruction candidates as of $as_of (a draft 銷毀目錄; nothing is deleted): plan03,"
echo "cancelled 2020-06-30, is past R4.2's 5 years; the 2023-05 check past R6.2's 3 years:"
docgen -w "$WS" archive report retention --as-of "$as_of" --format csv -o "$WS/out/retention.csv"
docgen -w "$WS" archive report retention --as-of "$as_of" --format json \
  | python "$here/retention_candidates.py" summary
echo "  (the full draft list, in the 銷毀目錄 columns, is in out/retention.csv)"
echo

echo "Obligations without their record as of $as_of: only the gaps the example is built"
echo "with (adm03 has no pledge, ven03 no application; August and September were not sampled):"
if docgen -w "$WS" archive report missing --as-of "$as_of"; then
  echo "The example's gaps were not reported as missing" >&2; exit 1
else
  echo "  (exit code $?: something is missing, so a scheduled run alerts someone)"
fi
echo

echo "The auditors' evidence check of 2026-10: every sampled case has a result and its"
echo "evidence PDF in the archive, every 否 and every anomaly is on the referral list for"
echo "政風, and each unit's 附件4 is filed:"
docgen -w "$WS" evidence check --month 2026-10 --as-of "$as_of"
echo

candidates="$(docgen -w "$WS" archive report retention --as-of "$as_of" --format json \
  | python "$here/retention_candidates.py" ids)"
held="$(grep '^DG-4M-202305-' <<<"$candidates" || true)"
others=($(grep -v '^DG-4M-202305-' <<<"$candidates" || true))
if [[ -z "$held" || ${#others[@]} -eq 0 ]]; then
  echo "Expected the 2023-05 check and plan03's papers among the candidates; got: $candidates" >&2
  exit 1
fi
filed() { find "$WS/archive/records" -type f ! -path '*/.tombstones/*' ! -name '*.meta.yaml' | wc -l; }

echo "Disposal. 政風 asks to keep the 2023-05 check for an inquiry, so it goes on hold:"
docgen -w "$WS" archive hold "$held" --by "$clerk" --reason "政風室調查中，請暫緩銷毀（北市市政字第1150011111號）"
echo
echo "Disposing every candidate (as of today) under the approved list's 文號: the held one is refused,"
echo "so nothing is removed ($(filed) files filed before):"
dispose() {
  docgen -w "$WS" archive dispose --by "$clerk" --approval "$approval" \
    --approved-by "$approver" --approved-on "$approved_on" "$@"
}
if dispose "$held" "${others[@]}"; then
  echo "A held record was disposed: that must never happen" >&2
  exit 1
fi
echo "  $(filed) files filed after"
echo
echo "What disposing the others would remove (--dry-run removes nothing):"
preview="$(dispose --dry-run "${others[@]}")"
head -6 <<<"$preview"
echo
echo "Disposing the others only:"
dispose "${others[@]}"
echo
echo "What each disposal leaves behind: a tombstone (hashes, metadata, approval, when, who):"
python - "$WS/archive/records/.tombstones/${others[0]}.json" <<'PY'
import json, sys
stone = json.load(open(sys.argv[1], encoding="utf-8"))
meta = stone["metadata"]
print(f"  records/.tombstones/{stone['record_id']}.json: approval {stone['approval']},")
print(f"  by {stone['disposed_by']} at {stone['disposed_at']}; {meta['title']}, {meta['unit']} {meta['subject']}")
for item in stone["files"]:
    print(f"  removed {item['path']} ({item['size']} bytes, SHA-256 {item['sha256'][:16]}…)")
PY
echo
echo "The inquiry is closed; the hold is released and the record is a candidate again:"
docgen -w "$WS" archive release "$held" --by "$clerk"
docgen -w "$WS" archive report retention --as-of "$as_of" --format json \
  | python "$here/retention_candidates.py" summary | sed -n '1p;/銷毀候選:/p'
echo

echo "Fixity: every filed file re-read and checked against its SHA-256 (--full):"
fixity="$(docgen -w "$WS" archive report fixity --full)" || {
  echo "$fixity" >&2; echo "Fixity found changed or lost files in the demo's own archive" >&2; exit 1; }
tail -4 <<<"$fixity"
echo
echo "Files nobody could classify: kept under records/unclassified/, to be sorted by hand:"
unclassified="$(docgen -w "$WS" archive report unclassified --format csv)"
echo "  $(($(wc -l <<<"$unclassified") - 1)) file(s); docgen archive report unclassified lists them"
echo
echo "Checking that the index can be rebuilt from the files and tombstones alone:"
docgen -w "$WS" archive rebuild --check
