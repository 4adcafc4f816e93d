#!/usr/bin/env bash
# Remake tests/fixtures/legacy_office/: an example office made by the code of commit
# d93a961 (main before the office database, issue 10), following the demo's steps
# (scripts/demo/*.sh of that commit, without LibreOffice, PDFs and packages), and what
# that code's reports said about it, so that a test can `docgen db upgrade` the office
# with today's code and compare every report before and after.
#
# Usage: scripts/make_legacy_office.sh
#   LEGACY_COMMIT   the old code's commit               (default d93a961)
#   LEGACY_CODE     a checkout of it; made with `git worktree add --detach` if missing,
#                   and removed again at the end        (default /tmp/docgen-d93a961)
#   LEGACY_ROOT     where the office is built; its absolute path is recorded in
#                   expected/index.json as "root"       (default /tmp/docgen-legacy-office)
#   PYTHON          a Python with docgen's dependencies  (default .venv/bin/python)
#
# The data is the synthetic example office of `docgen init --example`; nothing real.
# Deterministic: every date the commands take (--as-of, --approved-on, the month and
# half) and the sample seeds (derived from the population). Not deterministic: the
# times in the journal and in tombstones, hence the journal's hashes; the DOCX files'
# creation times, hence their SHA-256 and the record IDs derived from content hashes;
# file modification times in the tarball.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
commit="${LEGACY_COMMIT:-d93a961}"
old="${LEGACY_CODE:-/tmp/docgen-d93a961}"
root="${LEGACY_ROOT:-/tmp/docgen-legacy-office}"
python="${PYTHON:-$repo/.venv/bin/python}"
fixture="$repo/tests/fixtures/legacy_office"
as_of="2026-11-30"

made_worktree=""
if [ ! -d "$old/docgen" ]; then
  git -C "$repo" worktree add --detach "$old" "$commit" >/dev/null
  made_worktree=1
fi
cleanup() {
  if [ -n "$made_worktree" ]; then git -C "$repo" worktree remove --force "$old"; fi
}
trap cleanup EXIT
actual="$(git -C "$old" rev-parse HEAD)"
case "$actual" in
  "$(git -C "$repo" rev-parse "$commit")") ;;
  *) echo "$old is at $actual, not $commit" >&2; exit 1 ;;
esac

# Run from outside the repository: `python -m` puts the current directory first on
# sys.path, and PYTHONPATH must beat the venv's editable install of today's code.
cd /
export PYTHONPATH="$old"
unset DOCGEN_WORKSPACE DOCGEN_DATABASE_URL
export TZ=Asia/Taipei LC_ALL=C.UTF-8
loaded="$("$python" -c 'import docgen; print(docgen.__file__)')"
if [ "$loaded" != "$old/docgen/__init__.py" ]; then
  echo "The old code is not the one imported: $loaded" >&2; exit 1
fi
docgen() { "$python" -m docgen "$@"; }
demo="$old/scripts/demo"

rm -rf "$root"
mkdir -p "$(dirname "$root")"
ws="$root"
log="$(mktemp)"
trap 'rm -f "$log"; cleanup' EXIT
step() {  # step ARGS...: docgen ARGS, its output and exit code in expected/make.log
  local code=0
  echo "+ docgen $*" >>"$log"
  docgen "$@" >>"$log" 2>&1 || code=$?
  echo "= exit $code" >>"$log"
  return "$code"
}

# 10: the workspace, its registry and query logs.
step init "$ws" --example
for q in 2026-08.csv 2026-09.csv 2026-10.xlsx; do
  step -w "$ws" queries check "$ws/data/queries/$q"
done

# 30 (DOCX only): the forms, among them the papers of plan03 (cancelled 2020-06-30,
# past R4.2's 5 years) that become destruction candidates.
data="$ws/data/forms"
step -w "$ws" forms fill 1 "$data/附件1_戶政機關資料交換安全約定.yaml" -o "$ws/out/forms"
step -w "$ws" forms fill 2 "$data/附件2_權限申請表.csv" -o "$ws/out/forms"
step -w "$ws" forms fill 3 "$data/附件3_保密切結書.xlsx" -o "$ws/out/forms"
step -w "$ws" forms fill 4 "$data/附件4_月抽查.yaml" --variant monthly -o "$ws/out/forms"
step -w "$ws" forms fill 5 "$data/附件5_稽核紀錄表.yaml" -o "$ws/out/forms"

# 40: the monthly cycle of 2026-10, the account review, the half-year 2026-H2.
month="$ws/out/audit/2026-10"
step -w "$ws" audit sample --month 2026-10 --queries "$ws/data/queries/2026-10.xlsx"
"$python" "$demo/simulate_results.py" "$month/佐證" "$month"/抽查表_2026-10_*.xlsx >>"$log" 2>&1
step -w "$ws" audit results "$month"/抽查表_2026-10_*.xlsx
step -w "$ws" accounts review --as-of "$as_of"
step -w "$ws" accounts review --as-of "$as_of" --format xlsx -o "$ws/out/accounts/帳號清查_2026-11-30.xlsx"
step -w "$ws" audit sample --half 2026-H2 --partial
step -w "$ws" audit record --half 2026-H2 --as-of "$as_of"

# 50 (one unit): 企劃室's monthly package of 2026-10, its signed 附件4 'scanned' at
# 100 dpi instead of the demo's 300 (small), the director's review on 2026-11-20.
# package_inputs.py converts that one DOCX with LibreOffice; skipped without soffice.
if command -v soffice >/dev/null || command -v libreoffice >/dev/null; then
  unit="企劃室"
  scans="$ws/scans/2026-10/$unit"
  "$python" - "$demo" "$ws" 2026-10 "$scans" "$unit" >>"$log" 2>&1 <<'PY'
import sys
sys.path.insert(0, sys.argv.pop(1))
import package_inputs
package_inputs.SCAN_DPI = 100
package_inputs.main()
PY
  title="附件4 案件抽查表（月抽查）簽核掃描"
  pages=()
  for scan in "$scans"/附件4_簽核掃描_p*.jpg; do pages+=(--document "$title=$scan"); done
  step -w "$ws" package build "${pages[@]}" \
    --evidence "$title=佐證1 附件4 電子檔=$scans/附件4_電子檔.pdf" \
    --review-date 2026-11-20 --pdfa --repair-evidence -o "$ws/out/packages/2026-10_${unit}_月抽查卷宗.pdf"
  packaged=1
else
  echo "No LibreOffice: the office has no package" >&2
  packaged=0
fi

# 60: the 2023-05 check (reviewed 2023-06-15, past R6.2's 3 years), filing, a hold,
# a disposal of the other candidates, the hold released.
step -w "$ws" forms fill 4 "$data/附件4_月抽查_2023-05.yaml" --variant monthly -o "$ws/out/forms/2023-05"
inbox="$ws/archive/inbox"
mkdir -p "$inbox"
for folder in forms audit accounts packages; do
  [ ! -d "$ws/out/$folder" ] || cp -Rp "$ws/out/$folder" "$inbox/"
done
DOCGEN_ARCHIVE_STABLE_SECONDS=0 step -w "$ws" archive scan --wait 0

candidates="$(docgen -w "$ws" archive report retention --as-of "$as_of" --format json \
  | "$python" "$demo/retention_candidates.py" ids)"
held="$(grep '^DG-4M-202305-' <<<"$candidates" || true)"
others=($(grep -v '^DG-4M-202305-' <<<"$candidates" || true))
if [[ -z "$held" || ${#others[@]} -eq 0 ]]; then
  echo "Expected the 2023-05 check and plan03's papers among the candidates; got: $candidates" >&2
  exit 1
fi
clerk="秘書室 郭淑惠"
step -w "$ws" archive hold "$held" --by "$clerk" --reason "政風室調查中，請暫緩銷毀（北市市政字第1150011111號）"
dispose=(archive dispose --by "$clerk" --approval "北市市企字第1150012345號"
  --approved-by "處長 林志明" --approved-on 115/11/20 --as-of "$as_of")
if step -w "$ws" "${dispose[@]}" "$held" "${others[@]}"; then
  echo "A held record was disposed" >&2; exit 1
fi
step -w "$ws" "${dispose[@]}" "${others[@]}"
step -w "$ws" archive release "$held" --by "$clerk"
# A hold that stays, on a record still within its retention (企劃室's 附件4 of 2026-10):
# the upgrade must carry a live hold over as well as a released one.
kept="$(docgen -w "$ws" archive report retention --all --as-of "$as_of" --format json \
  | "$python" -c 'import json, sys
rows = json.load(sys.stdin)["rows"]
print(sorted(r["record_id"] for r in rows if r["record_id"].startswith("DG-4M-202610-")
             and "企劃室" in json.dumps(r, ensure_ascii=False))[0])')"
step -w "$ws" archive hold "$kept" --by "$clerk" --reason "監察院調閱（院台調字第1150800123號）"

# The reports, as the old code gives them.
rm -rf "$fixture/expected" "$fixture/office.tar.gz"  # README.md is kept
mkdir -p "$fixture/expected"
index_args="$(mktemp)"
trap 'rm -f "$log" "$index_args"; cleanup' EXIT
report() {  # report NAME ARGS...: run docgen ARGS, keep stdout and the exit code
  local name="$1"; shift
  local code=0
  local ext=json
  case "$*" in *--format\ json*) ;; *) ext=txt ;; esac
  docgen -w "$ws" "$@" >"$fixture/expected/$name.$ext" 2>"$fixture/expected/$name.stderr" || code=$?
  [ -s "$fixture/expected/$name.stderr" ] || rm -f "$fixture/expected/$name.stderr"
  "$python" - "$name" "$code" "$name.$ext" "$@" >>"$index_args" <<'PY'
import json, sys
name, code, output, *args = sys.argv[1:]
print(json.dumps({"name": name, "args": args, "exit_code": int(code), "output": output},
                 ensure_ascii=False))
PY
}
report retention_all archive report retention --all --as-of "$as_of" --format json
report retention archive report retention --as-of "$as_of" --format json
report missing archive report missing --as-of "$as_of" --format json
report missing_calendar archive report missing --calendar --as-of "$as_of" --format json
report fixity archive report fixity --full --as-of "$as_of" --format json
report unclassified archive report unclassified --as-of "$as_of" --format json
report disposals archive report disposals --as-of "$as_of" --format json
report evidence_2026-10 evidence check --month 2026-10 --as-of "$as_of" --format json
report evidence_2026-H2 evidence check --half 2026-H2 --as-of "$as_of" --format json
report accounts_list accounts list --format json
report calendar_2026 calendar --year 2026 --format json
# Last: journal verify prints the head hash, and accounts review journals (old code),
# so the review goes after every other report and the verify after it.
report accounts_review accounts review --as-of "$as_of" --format json
report journal_verify journal verify

# The office, paths relative to its root.
find "$root" -name '*.lock' -size 0 -delete
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$root" -czf "$fixture/office.tar.gz" .
"$python" - "$fixture" "$index_args" "$root" "$actual" "$as_of" "$packaged" "$held" "$kept" "${others[@]}" <<'PY'
import json, sys
from pathlib import Path
fixture, args_file, root, commit, as_of, packaged, held, kept, *disposed = sys.argv[1:]
index = {"root": root, "commit": commit}
for line in Path(args_file).read_text(encoding="utf-8").splitlines():
    item = json.loads(line)
    index[item.pop("name")] = item
office = {"commit": commit, "root": root, "as_of": as_of, "released": held, "on_hold": kept,
          "disposed": disposed,
          "package": packaged == "1"}
for name, data in (("index", index), ("office", office)):
    Path(fixture, "expected", f"{name}.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
PY
cp "$log" "$fixture/expected/make.log"
chmod 644 "$fixture/expected/make.log"
echo "Made $fixture ($(du -sh "$fixture" | cut -f1)); the office is at $root"
