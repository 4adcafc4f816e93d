#!/usr/bin/env bash
# Demo step 30: fill attachments 1–6 (附件4 in both variants) for the example office,
# as DOCX and PDF, from the example data that `docgen init --example` put in data/forms/.
set -euo pipefail
data="$WS/data/forms"
out="$WS/out/forms"

echo "The fields of 附件3 (docgen forms list shows all six attachments):"
docgen forms list 附件3

fill() {
  local form="$1" file="$2"; shift 2
  echo
  echo "Filling 附件$form from data/forms/$file as DOCX and PDF ..."
  docgen forms fill "$form" "$data/$file" -o "$out" --pdf "$@"
}
fill 1 附件1_戶政機關資料交換安全約定.yaml
echo
echo "附件2 and 附件3 are the papers on file for the registry's accounts (R3.2, R3.3): one"
echo "per account with a 權限申請表 / 保密切結書 date, cancelled accounts included."
fill 2 附件2_權限申請表.csv
fill 3 附件3_保密切結書.xlsx
fill 4 附件4_月抽查.yaml --variant monthly
fill 4 附件4_半年抽查.yaml --variant half
fill 5 附件5_稽核紀錄表.yaml
fill 6 附件6_外部稽核紀錄表.json

echo
echo "Checking the workspace's own templates against their forms (R9) ..."
docgen forms check 附件3 "$WS/templates/attachments/附件3_保密切結書.docx" 2>&1 | tail -1
docgen forms check 附件4 "$WS/templates/attachments/附件4_案件抽查表_月抽查.docx" --variant monthly 2>&1 | tail -1

echo
echo "Wrote $(ls "$out"/*.docx | wc -l) DOCX and $(ls "$out"/*.pdf | wc -l) PDF files to $WS/out/forms/,"
echo "each with its record ID as a QR code and in its metadata; the manifests list their SHA-256."
