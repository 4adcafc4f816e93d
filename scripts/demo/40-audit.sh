#!/usr/bin/env bash
# Demo step 40: a monthly audit cycle on the example office for 2026-10 (R5.1, R6.2, R6.5),
# the account review as of 2026-11-30, recorded (R4.1, R4.1a, R5.2, R3.2), the user roster
# (R7.2), and the half-year sample and audit record for 2026-H2 over the logs the office
# has (Aug–Oct).
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?run this through scripts/demo.sh (it sets WS)}"
here="$(cd "$(dirname "$0")" && pwd)"
month="$WS/out/audit/2026-10"

echo "How many cases does a unit with 250 queries check each month (R6.2)?"
docgen -w "$WS" audit size --monthly 250
echo

echo "Checking every October query's justification (R5.1) and drawing each unit's sample (R6.2):"
docgen -w "$WS" audit sample --month 2026-10 --queries "$WS/data/queries/2026-10.xlsx"
echo "Each unit now has 附件4 (月抽查), a sample sheet for its supervisor and an anomaly list;"
echo "the drawn sample is stored in the office database and the seed is in the journal."
echo

echo "The supervisors mark each sampled case 是/否 in their sheets and keep a one-page"
echo "查詢紀錄佐證 PDF per case, named in the 佐證檔案 column (simulated here, masked values only):"
python "$here/simulate_results.py" "$month/佐證" "$month"/抽查表_2026-10_*.xlsx
echo "The evidence PDFs are in out/audit/2026-10/佐證/, each with a NAME.meta.yaml sidecar."
echo

echo "Reading the sheets back: checked against the drawn samples, then the completed 附件4"
echo "and the referral lists for 政風 (every 否 and every query without justification, R6.5):"
docgen -w "$WS" audit results --pdf "$month"/抽查表_2026-10_*.xlsx
echo

echo "The account review as of 2026-11-30 (dormant, long suspended, late cancellations,"
echo "missing papers, an auditor who is also a user), recorded as done on that date (R4.1a;"
echo "without --record it is only a report); also saved as Excel:"
docgen -w "$WS" accounts review --as-of 2026-11-30 --record
docgen -w "$WS" accounts review --as-of 2026-11-30 --format xlsx -o "$WS/out/accounts/帳號清查_2026-11-30.xlsx"
echo

echo "The user roster (使用者清冊) that 民政局 asks for (R7.2), IDs masked:"
docgen -w "$WS" accounts roster -o "$WS/out/accounts/使用者清冊.xlsx"
echo

echo "The half-year sample for 2026-H2 over the office's logs so far (R6.3, tiered by total):"
partial=()  # the office has logs for Aug-Oct only; newer docgen wants that said with --partial
if docgen audit sample --help | grep -q -- '--partial'; then partial=(--partial); fi
docgen -w "$WS" audit sample --half 2026-H2 "${partial[@]}"
echo

echo "附件5 稽核紀錄表 for 2026-H2, prefilled with what docgen knows (results left to the auditors):"
docgen -w "$WS" audit record --half 2026-H2 --as-of 2026-11-30
echo
echo "Audit files are in $WS/out/audit/ and $WS/out/accounts/."
