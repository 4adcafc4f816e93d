#!/usr/bin/env bash
# Demo step 40: a monthly audit cycle on the example office for 2026-10 (R5.1, R6.2, R6.5),
# the account review as of 2026-11-30, recorded (R4.1, R4.1a, R5.2, R3.2), the user roster
# (R7.2), and the half-year sample and audit record for 2026-H2 over the logs the office
# has (Aug–Oct).
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?請經由 scripts/demo.sh 執行（由其設定 WS）}"
here="$(cd "$(dirname "$0")" && pwd)"
month="$WS/out/audit/2026-10"

echo "單位每月查詢 250 件時，月抽查應抽查幾件（R6.2）？"
docgen -w "$WS" audit size --month 2026-10 --count 250
echo

echo "檢查民國115年10月每筆查詢之查詢事由（R5.1），並抽出各單位之抽查案件（R6.2）："
docgen -w "$WS" audit sample --month 2026-10 --queries "$WS/data/queries/2026-10.xlsx"
echo "各單位均已產出附件4（月抽查）、供科(室)主管填寫之抽查表及異常清單；"
echo "抽出之案件存於機關資料庫，亂數種子記於日誌。"
echo

echo "科(室)主管於抽查表逐案勾選「是」或「否」，每案留存一頁「查詢紀錄佐證」PDF，"
echo "並將檔名填入「佐證檔案」欄（此處為模擬，僅含遮罩後之資料）："
python "$here/simulate_results.py" "$month/佐證" "$month"/抽查表_2026-10_*.xlsx
echo "佐證 PDF 位於 out/audit/2026-10/佐證/，每份均附有說明檔 NAME.meta.yaml。"
echo

echo "讀回抽查表：先與抽出之案件核對，再產出填妥之附件4 及轉介政風清單"
echo "（所有勾選「否」之案件及所有無查詢事由之查詢，R6.5）："
docgen -w "$WS" audit results --pdf "$month"/抽查表_2026-10_*.xlsx
echo

echo "以 115/11/30 為基準日辦理帳號清查（逾 6 個月未使用、停用滿 1 年、逾期申請註銷、"
echo "未留存書面文件、稽核人員兼一般使用者），並記錄為當日已辦理（R4.1a；"
echo "未加 --record 則僅產出報表）；另存為 Excel 檔："
docgen -w "$WS" accounts review --as-of 2026-11-30 --record
docgen -w "$WS" accounts review --as-of 2026-11-30 --format xlsx -o "$WS/out/accounts/帳號清查_2026-11-30.xlsx"
echo

echo "民政局要求備妥之使用者清冊（R7.2），身分證統一編號已遮罩："
docgen -w "$WS" accounts roster -o "$WS/out/accounts/使用者清冊.xlsx"
echo

echo "民國115年下半年（2026-H2）之半年抽查，就本機關現有之查詢紀錄辦理（R6.3，依查詢總件數分級）："
partial=()  # the office has logs for Aug-Oct only; newer docgen wants that said with --partial
if docgen audit sample --help | grep -q -- '--partial'; then partial=(--partial); fi
docgen -w "$WS" audit sample --half 2026-H2 "${partial[@]}"
echo

echo "民國115年下半年之附件5 稽核紀錄表，預填 docgen 已掌握之資料（稽核結果留待稽核人員填寫）："
docgen -w "$WS" audit record --half 2026-H2 --as-of 2026-11-30
echo
echo "稽核相關檔案位於 $WS/out/audit/ 及 $WS/out/accounts/。"
