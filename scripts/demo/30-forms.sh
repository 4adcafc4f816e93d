#!/usr/bin/env bash
# Demo step 30: fill attachments 1–6 (附件4 in both variants) for the example office,
# as DOCX and PDF, from the example data that `docgen init --example` put in data/forms/.
set -euo pipefail
data="$WS/data/forms"
out="$WS/out/forms"

echo "附件3 之欄位（docgen forms list 可列出附件1–6 全部六種附件）："
docgen forms list 附件3

fill() {
  local form="$1" file="$2"; shift 2
  echo
  echo "依 data/forms/$file 填製附件$form（DOCX 及 PDF）……"
  docgen forms fill "$form" "$data/$file" -d "$out" --pdf "$@"
}
fill 1 附件1_戶政機關資料交換安全約定.yaml
echo
echo "附件2 及附件3 為帳號清冊內各帳號應留存之書面文件（R3.2、R3.3）：凡載有"
echo "權限申請表或保密切結書日期之帳號各填製一份，已註銷之帳號亦同。"
fill 2 附件2_權限申請表.csv
fill 3 附件3_保密切結書.xlsx
fill 4 附件4_月抽查.yaml --variant monthly
fill 4 附件4_半年抽查.yaml --variant half
fill 5 附件5_稽核紀錄表.yaml
fill 6 附件6_外部稽核紀錄表.json

echo
echo "依表單規格檢查工作區自備之範本（R9）……"
docgen forms check 附件3 "$WS/templates/attachments/附件3_保密切結書.docx" 2>&1 | tail -1
docgen forms check 附件4 "$WS/templates/attachments/附件4_案件抽查表_月抽查.docx" --variant monthly 2>&1 | tail -1

echo
echo "已於 $WS/out/forms/ 產製 $(ls "$out"/*.docx | wc -l) 個 DOCX 檔及 $(ls "$out"/*.pdf | wc -l) 個 PDF 檔，"
echo "每份均以 QR Code 及詮釋資料載明其紀錄編號；產製清單（manifest）列有各檔之 SHA-256。"
