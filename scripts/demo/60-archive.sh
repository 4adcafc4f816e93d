#!/usr/bin/env bash
# Demo step 60: the archive. Everything the demo produced (forms, audit outputs, scans,
# packages) is dropped into the inbox and filed by one reconcile — classified by its
# embedded metadata, the QR code on a scan, or not at all (kept under unclassified/) —
# then the archive reports are printed as of the example office's review date.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?run this through scripts/demo.sh (it sets WS)}"
as_of="2026-11-30"
inbox="$WS/archive/inbox"

echo "Copying everything the demo produced under out/ into the archive inbox:"
mkdir -p "$inbox"
cp -Rp "$WS/out/." "$inbox/"
echo "  $(find "$inbox" -type f | wc -l) files in $inbox"
echo
echo "Filing them with one reconcile (what 'docgen archive watch' does on its own)."
echo "A file is taken once unchanged for archive.stable_seconds (1 s here); each is"
echo "hashed, classified, recorded in the index and moved under archive/records/:"
DOCGEN_ARCHIVE_STABLE_SECONDS=1 docgen -w "$WS" archive scan
echo
echo "How the archive is laid out now (records/<category>/<ROC year>/<record ID>):"
(cd "$WS/archive" && find records -maxdepth 2 -mindepth 2 -type d | sort | sed 's/^/  /')
echo
if docgen archive report --help >/dev/null 2>&1; then
  echo "Destruction candidates as of $as_of (a draft 銷毀目錄; nothing is deleted):"
  docgen -w "$WS" archive report retention --as-of "$as_of"
  echo
  echo "Obligations without their record as of $as_of, and filed files that are gone:"
  docgen -w "$WS" archive report missing --as-of "$as_of" || true
  echo
  echo "Fixity: every filed file re-read and checked against its SHA-256 (--full):"
  docgen -w "$WS" archive report fixity --full
  echo
  echo "Files nobody could classify (manifests, sample sheets): kept, to be sorted by hand:"
  unclassified="$(docgen -w "$WS" archive report unclassified --format csv)"
  sed -n '1,5p' <<<"$unclassified"
  echo "  … $(($(wc -l <<<"$unclassified") - 1)) file(s) in all"
fi
echo
echo "Checking that the index can be rebuilt from the files alone and comes out the same:"
docgen -w "$WS" archive rebuild --check
