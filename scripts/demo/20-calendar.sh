#!/usr/bin/env bash
# Step 20: the year's obligations and deadlines (R6.2–R6.4, R4.1a) and working days (R5.2).
set -euo pipefail
mkdir -p "$WS/out"
ics="$WS/out/calendar-2026.ics"

echo "民國115年（2026）之應辦事項，期限以民國日期表示，承辦單位取自 docgen.toml；"
echo "另存為行事曆檔，可匯入 Outlook 或 Google 日曆："
docgen calendar --year 2026 --ics "$ics"
echo "行事曆檔共有 $(grep -c "BEGIN:VEVENT" "$ics") 個全天事件，均於 7 日前提醒。"

echo
echo "依政府行政機關辦公日曆表計算工作日（R5.2：離職或職務調整前 10 個工作日，應申請帳號註銷或變更）："
docgen calendar workdays 115/12/04 --before 10
docgen calendar workdays 2026-10-12 --before 10
docgen calendar workdays 2025-02-08
