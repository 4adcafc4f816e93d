#!/usr/bin/env bash
# Demo step 50: each unit's monthly package for 2026-10 (R6.2, R6.4): the signed, colour-
# scanned 附件4 with its evidence merged into one archival PDF (bookmarks, page labels,
# retention metadata, PDF/A-2b, SHA-256 manifest); the first one is inspected.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?run this through scripts/demo.sh (it sets WS)}"
here="$(cd "$(dirname "$0")" && pwd)"
period="2026-10"
reviewed="2026-11-20"  # the director's review of the month's checks
python="$(command -v python3)"
[ -x "$here/../../.venv/bin/python" ] && python="$here/../../.venv/bin/python"

# build_package UNIT: 'scan' the unit's signed 附件4 and package it with its original.
build_package() {
  local unit="$1" inputs="$WS/scans/$period/$1"  # as the scanner left them (outside out/)
  local said scans title out
  said="$("$python" "$here/package_inputs.py" "$WS" "$period" "$inputs" "$unit")"
  echo "$said" | sed '$d'
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
  docgen -w "$WS" package build "${args[@]}" --review-date "$reviewed" --pdfa --repair-evidence -o "$out"
}

shopt -s nullglob
forms=("$WS/out/audit/$period/結果"/附件4_月抽查_"$period"_*.pdf)
if [ "${#forms[@]}" -eq 0 ]; then
  echo "Error: no completed 附件4 in $WS/out/audit/$period/結果: step 40 (audit) must run first" >&2
  exit 1
fi
units=()
for form in "${forms[@]}"; do
  name="$(basename "$form" .pdf)"
  name="${name#附件4_月抽查_${period}_}"
  units+=("${name%_DG-*}")
done

echo "After signing, each unit's completed 附件4 (月抽查) is 'scanned' in colour at 300 dpi"
echo "(pages rendered with pypdfium2) and packaged with its electronic original as PDF/A-2b;"
echo "evidence that cannot conform goes through Ghostscript, the scans never do. Period, unit"
echo "and record IDs come from the inputs; the director reviewed the checks on $reviewed,"
echo "which completes them (R6.2) and starts their retention:"
for unit in "${units[@]}"; do
  build_package "$unit"
done
first="$WS/out/packages/${period}_${units[0]}_月抽查卷宗.pdf"
echo
echo "Inspecting the first: outline, page labels, metadata, and whether the manifest still matches:"
docgen -w "$WS" package inspect "$first"
echo
echo "The packages and their manifests (every input's SHA-256 and pages) are in $WS/out/packages/;"
echo "each build is in the journal. The archive files them by their embedded retention metadata."
