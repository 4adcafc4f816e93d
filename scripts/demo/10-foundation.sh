#!/usr/bin/env bash
# Demo step 10: a new example workspace, its account registry and its three query logs.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?run this through scripts/demo.sh (it sets WS)}"

echo "Laying out a new workspace with the synthetic example office in $WS ..."
docgen init "$WS" --example
echo

echo "The office database (init made it and imported data/accounts.csv into it):"
docgen -w "$WS" db check
echo

echo "The account registry, from the office database, names and national IDs masked:"
docgen -w "$WS" accounts list
echo

for log in 2026-08.csv 2026-09.csv 2026-10.xlsx; do
  case "$log" in
    2026-08.csv) what="UTF-8 CSV" ;;
    2026-09.csv) what="Big5 (CP950) CSV with the platform's Chinese headers and ROC dates" ;;
    *) what="Excel workbook" ;;
  esac
  echo "Checking the query log data/queries/$log ($what): every row validated, then summarised."
  docgen -w "$WS" queries check "$WS/data/queries/$log"
  echo
done
echo "All three logs read without errors; the summaries count per unit and per account,"
echo "and '無查詢事由 (R5.1)' counts queries that record no justification at all."
echo
echo "Taking the logs into the office database (the facts the reports need, masked):"
docgen -w "$WS" queries take-in
