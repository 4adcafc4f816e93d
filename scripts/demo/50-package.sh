#!/usr/bin/env bash
# Demo step 50: each unit's monthly package for 2026-10 (R6.2, R6.4): the signed, colour-
# scanned 附件4 with its evidence merged into one archival PDF (bookmarks, page labels,
# retention metadata, PDF/A-2b, SHA-256 manifest); the first one is inspected.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?請經由 scripts/demo.sh 執行（由其設定 WS）}"
here="$(cd "$(dirname "$0")" && pwd)"
period="2026-10"
reviewed="2026-11-20"  # the director's review of the month's checks
reviewed_roc="$(y="${reviewed%%-*}" r="${reviewed#*-}"; echo "$((10#$y - 1911))/${r//-//}")"  # 115/11/20, for the narrative
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
    echo "錯誤：$inputs 中沒有附件4 之簽核掃描檔，須先執行步驟 30（forms）及 40（audit）" >&2
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
  echo "錯誤：$WS/out/audit/$period/結果 中沒有填妥之附件4，須先執行步驟 40（audit）" >&2
  exit 1
fi
units=()
for form in "${forms[@]}"; do
  name="$(basename "$form" .pdf)"
  name="${name#附件4_月抽查_${period}_}"
  units+=("${name%_DG-*}")
done

echo "各單位填妥之附件4（月抽查）經簽核後，以 300 dpi「彩色掃描」（以 pypdfium2 轉繪各頁），"
echo "再與電子原檔合併為 PDF/A-2b 卷宗；無法符合 PDF/A 之佐證改經 Ghostscript 轉換，掃描檔一律不轉換。"
echo "期間、單位及紀錄編號均取自輸入檔；處長或授權人員已於 $reviewed_roc 核閱抽查結果，"
echo "抽查即告完成（R6.2），保存年限自此起算："
for unit in "${units[@]}"; do
  build_package "$unit"
done
first="$WS/out/packages/${period}_${units[0]}_月抽查卷宗.pdf"
echo
echo "檢視第一份卷宗：書籤、頁碼標籤、詮釋資料，以及與產製清單（manifest）是否仍相符："
docgen -w "$WS" package inspect "$first"
echo
echo "卷宗及其產製清單（載有各輸入檔之 SHA-256 及頁數）位於 $WS/out/packages/；"
echo "每次產製均記入日誌。歸檔時依卷宗內嵌之保存年限詮釋資料分類歸檔。"
