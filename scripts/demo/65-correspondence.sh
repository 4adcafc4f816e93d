#!/usr/bin/env bash
# Demo step 65: the 函 and 簽 the audits lead to (ISSUE 14), drafted from the office
# database: the second half's results letter to 民政局 (R6.4), October's referral memo
# to the ethics unit (R6.5), the notices of accounts suspended a year or more (R4.1c);
# then the results letter recorded as sent, which closes its R6.4 duty.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?請經由 scripts/demo.sh 執行（由其設定 WS）}"

echo "擬具函稿及簽稿（DOCX、ODT、PDF 及供公文系統匯入之 DI 檔，各存一個資料夾）："
docgen -w "$WS" correspondence draft results-letter --half 2026-H2
docgen -w "$WS" correspondence draft referral-memo --month 2026-10
docgen -w "$WS" correspondence draft holder-notice --as-of 2026-11-30

letter="$WS/out/correspondence/稽核結果函_2026-H2/稽核結果函_2026-H2.pdf"
echo
echo "函稿第一頁（pdftotext）："
pdftotext -l 1 -layout "$letter" - | sed -n '1,24p'

echo
echo "登記函稿已發文（文號由公文系統編定；此為示範）："
docgen -w "$WS" correspondence sent results-letter:2026-H2 \
  --number "北市市企字第1153000123號" --date "$(date +%F)"
docgen -w "$WS" correspondence list
