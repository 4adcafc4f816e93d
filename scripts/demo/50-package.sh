#!/usr/bin/env bash
# Demo step 50: one unit's monthly package for 2026-10 (R6.2, R6.4): the signed, colour-
# scanned 附件4 with its evidence merged into one archival PDF (bookmarks, page labels,
# retention metadata, PDF/A-2b, SHA-256 manifest), then inspected.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?run this through scripts/demo.sh (it sets WS)}"
here="$(cd "$(dirname "$0")" && pwd)"
period="2026-10"
inputs="$WS/scans/$period"  # as the scanner left them (outside out/, which step 60 files)
python="$(command -v python3)"
[ -x "$here/../../.venv/bin/python" ] && python="$here/../../.venv/bin/python"

echo "Preparing what the office has after signing: 附件4 (月抽查) of one unit, 'scanned' in"
echo "colour at 300 dpi (pages rendered with pypdfium2), and its electronic original:"
said="$("$python" "$here/package_inputs.py" "$WS" "$period" "$inputs")"
echo "$said" | sed '$d'
unit="$(echo "$said" | tail -1)"
shopt -s nullglob
scans=("$inputs"/附件4_簽核掃描_p*.jpg)
if [ "${#scans[@]}" -eq 0 ] || [ ! -f "$inputs/附件4_電子檔.pdf" ]; then
  echo "Error: no scanned 附件4 in $inputs: steps 30 (forms) and 40 (audit) must run first" >&2
  exit 1
fi
title="附件4 案件抽查表（月抽查）簽核掃描"
args=()
for scan in "${scans[@]}"; do args+=(--document "$title=$scan"); done
args+=(--evidence "$title=佐證1 附件4 電子檔=$inputs/附件4_電子檔.pdf")
out="$WS/out/packages/${period}_${unit}_月抽查卷宗.pdf"
echo
echo "Building the package as PDF/A-2b; evidence that cannot conform goes through Ghostscript,"
echo "the scans never do. Period, unit and record IDs come from the inputs; the director"
echo "reviewed the form on 2026-11-20, which completes the check and starts its retention:"
docgen -w "$WS" package build "${args[@]}" --review-date 2026-11-20 --pdfa --repair-evidence -o "$out"
echo
echo "Inspecting it: outline, page labels, metadata, and whether the manifest still matches:"
docgen -w "$WS" package inspect "$out"
echo
echo "The package and its manifest (every input's SHA-256 and pages) are in $WS/out/packages/;"
echo "the build is in the journal. The archive files it by its embedded retention metadata."
