#!/usr/bin/env bash
# Step 20: the year's obligations and deadlines (R6.2–R6.4, R4.1a) and working days (R5.2).
set -euo pipefail
mkdir -p "$WS/out"
ics="$WS/out/calendar-2026.ics"

echo "The obligations of 2026 (民國115年), due dates in ROC form, units from docgen.toml;"
echo "also written as a calendar file to import into Outlook or Google Calendar:"
docgen calendar --year 2026 --ics "$ics"
echo "The calendar file holds $(grep -c "BEGIN:VEVENT" "$ics") all-day events, each with a reminder 7 days ahead."

echo
echo "Working days on the Taiwan government calendar (R5.2: leavers apply 10 working days ahead):"
docgen calendar workdays 115/12/04 --before 10
docgen calendar workdays 2026-10-12 --before 10
docgen calendar workdays 2025-02-08
