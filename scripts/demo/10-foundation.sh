#!/usr/bin/env bash
# Demo step 10: a new example workspace, its account registry and its three query logs.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?請經由 scripts/demo.sh 執行（由其設定 WS）}"

echo "於 $WS 建立新的工作區，內含虛構的範例機關……"
docgen init "$WS" --example
echo

echo "機關資料庫（由 init 建立，並已匯入 data/accounts.csv）："
docgen -w "$WS" db check
echo

echo "帳號清冊（取自機關資料庫，姓名及身分證統一編號已遮罩）："
docgen -w "$WS" accounts list
echo

for log in 2026-08.csv 2026-09.csv 2026-10.xlsx; do
  case "$log" in
    2026-08.csv) what="UTF-8 編碼之 CSV" ;;
    2026-09.csv) what="Big5（CP950）編碼之 CSV，欄名與平臺相同為中文，日期為民國日期" ;;
    *) what="Excel 活頁簿" ;;
  esac
  echo "檢查查詢紀錄 data/queries/$log（$what）：逐列驗證後彙總。"
  docgen -w "$WS" queries check "$WS/data/queries/$log"
  echo
done
echo "三份查詢紀錄均讀取無誤；彙總表依單位及帳號統計件數，"
echo "「無查詢事由 (R5.1)」為完全未記載查詢事由之查詢件數。"
echo
echo "將查詢紀錄匯入機關資料庫（僅存報表所需資料，並已遮罩）："
docgen -w "$WS" queries take-in
