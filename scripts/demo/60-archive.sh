#!/usr/bin/env bash
# Demo step 60: the archive. The records the demo produced (forms, audit outputs,
# account lists, packages, the supervisors' evidence) are dropped into the inbox and
# filed by one reconcile; then the archive reports as of the example office's review
# date, the auditors' evidence check of 2026-10, and an approved disposal with a hold.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?請經由 scripts/demo.sh 執行（由其設定 WS）}"
as_of="2026-11-30"
as_of_roc="$(y="${as_of%%-*}" r="${as_of#*-}"; echo "$((10#$y - 1911))/${r//-//}")"  # 115/11/30, for the narrative
here="$(cd "$(dirname "$0")" && pwd)"
inbox="$WS/archive/inbox"
approval="北市市企字第1150012345號"  # the 發文字號 approving the destruction list
approver="處長 林志明"                 # who approved it (never the one who disposes)
approved_on="115/11/20"
clerk="秘書室 郭淑惠"  # who holds, disposes and releases (default: the login name)

echo "本機關保存之較舊紀錄：企劃室民國112年5月之附件4 月抽查，處長或授權人員已於 112/06/15 核閱"
echo "（data/forms/附件4_月抽查_2023-05.yaml），填製為 DOCX 及 PDF："
docgen -w "$WS" forms fill 4 "$WS/data/forms/附件4_月抽查_2023-05.yaml" --variant monthly \
  -d "$WS/out/forms/2023-05" --pdf
echo

echo "將 out/ 下之紀錄（forms、audit、accounts、packages）複製至收件匣；"
echo "其他檔案（如行事曆 .ics 檔）並非紀錄，不予複製："
mkdir -p "$inbox"
for folder in forms audit accounts packages; do
  cp -Rp "$WS/out/$folder" "$inbox/"
done
echo "  archive/inbox/ 中共有 $(find "$inbox" -type f ! -name '*.meta.yaml' | wc -l) 個檔案（另有其說明檔）"
echo

echo "執行一次歸檔作業（即「docgen archive watch」自動執行之作業）：每個檔案"
echo "經計算雜湊值及分類後，移至 archive/records/<類別>/<民國年>/。"
DOCGEN_ARCHIVE_STABLE_SECONDS=1 docgen -w "$WS" archive scan >"$WS/out/archive-scan.log"
awk '$2 ~ /^records\// {split($2, p, "/"); print $1, p[2]}' "$WS/out/archive-scan.log" \
  | sort | uniq -c | sed 's/^ */  /'
echo "  （完整清單見 out/archive-scan.log）"
echo
echo "每份佐證 PDF 均附有說明檔，載明其為何種紀錄（PDF 本身未內嵌詮釋資料），例如："
sed 's/^/  /' "$WS/out/audit/2026-10/佐證/查詢紀錄佐證_2026-10_企劃室_1.meta.yaml"
echo

echo "以 $as_of_roc 為基準日之銷毀候選（銷毀目錄草稿，不刪除任何檔案）：帳號 plan03"
echo "於 109/06/30 註銷，其文件已逾 R4.2 之 5 年；112年5月之月抽查已逾 R6.2 之 3 年："
docgen -w "$WS" archive report retention --as-of "$as_of" --format csv -o "$WS/out/retention.csv"
docgen -w "$WS" archive report retention --as-of "$as_of" --format json \
  | python "$here/retention_candidates.py" summary
echo "  （依銷毀目錄欄位編排之完整草稿清單見 out/retention.csv）"
echo

echo "以 $as_of_roc 為基準日，應辦而無紀錄之事項：僅有範例刻意設計之缺漏"
echo "（adm03 未留存保密切結書、ven03 未留存權限申請表；115年8月及9月未辦理月抽查）："
if docgen -w "$WS" archive report missing --as-of "$as_of"; then
  echo "範例刻意設計之缺漏未列為缺漏" >&2; exit 1
else
  echo "  （結束代碼 $?：有缺漏，排程執行時即可據以通知相關人員）"
fi
echo

echo "稽核人員檢查民國115年10月之佐證：每件抽查案件均有結果，其佐證 PDF 均已歸檔，"
echo "每件勾選「否」之案件及每筆異常查詢均列入轉介政風清單，且各單位之附件4 均已歸檔："
docgen -w "$WS" evidence check --month 2026-10 --as-of "$as_of"
echo

candidates="$(docgen -w "$WS" archive report retention --as-of "$as_of" --format json \
  | python "$here/retention_candidates.py" ids)"
held="$(grep '^DG-4M-202305-' <<<"$candidates" || true)"
others=($(grep -v '^DG-4M-202305-' <<<"$candidates" || true))
if [[ -z "$held" || ${#others[@]} -eq 0 ]]; then
  echo "銷毀候選中應有112年5月之月抽查及 plan03 之文件，實際為：$candidates" >&2
  exit 1
fi
echo "檔管人員擬具檢陳銷毀目錄之簽（附銷毀目錄，檔號分列年度號、分類號、案次號、卷次號、目次號），"
echo "核定後登記其文號：銷毀目錄之核准文號欄即為此文號："
docgen -w "$WS" correspondence draft destruction-memo --as-of "$as_of"
docgen -w "$WS" correspondence sent "destruction-memo:$as_of" --number "$approval" --date "$(date +%F)"
echo

filed() { find "$WS/archive/records" -type f ! -path '*/.tombstones/*' ! -name '*.meta.yaml' | wc -l; }

echo "銷毀作業。政風人員因調查需要，請求暫緩銷毀112年5月之月抽查，檔管人員將其設定保留："
docgen -w "$WS" archive hold "$held" --by "$clerk" --reason "政風室調查中，請暫緩銷毀（北市市政字第1150011111號）"
echo
echo "依核准銷毀目錄之文號銷毀全部銷毀候選（以今日為準）：保留中之紀錄遭拒絕，"
echo "因此不移除任何檔案（銷毀前已歸檔 $(filed) 個檔案）："
dispose() {
  docgen -w "$WS" archive dispose --by "$clerk" --approval "$approval" \
    --approved-by "$approver" --approved-on "$approved_on" "$@"
}
if dispose "$held" "${others[@]}"; then
  echo "保留中之紀錄竟遭銷毀：此情形絕不應發生" >&2
  exit 1
fi
echo "  銷毀後已歸檔 $(filed) 個檔案"
echo
echo "銷毀其餘紀錄將移除之檔案（--dry-run 不移除任何檔案）："
preview="$(dispose --dry-run "${others[@]}")"
head -6 <<<"$preview"
echo
echo "僅銷毀其餘紀錄："
dispose "${others[@]}"
echo
echo "每次銷毀均留下墓碑紀錄（雜湊值、詮釋資料、核准文號、銷毀時間及銷毀人）："
python - "$WS/archive/records/.tombstones/${others[0]}.json" <<'PY'
import json, sys
stone = json.load(open(sys.argv[1], encoding="utf-8"))
meta = stone["metadata"]
print(f"  records/.tombstones/{stone['record_id']}.json：核准文號 {stone['approval']}，")
print(f"  銷毀人 {stone['disposed_by']}，銷毀時間 {stone['disposed_at']}；{meta['title']}，{meta['unit']} {meta['subject']}")
for item in stone["files"]:
    print(f"  已移除 {item['path']}（{item['size']} 位元組，SHA-256 {item['sha256'][:16]}…）")
PY
echo
echo "調查結束，解除保留，該紀錄再度列為銷毀候選："
docgen -w "$WS" archive release "$held" --by "$clerk"
docgen -w "$WS" archive report retention --as-of "$as_of" --format json \
  | python "$here/retention_candidates.py" summary | sed -n '1p;/銷毀候選:/p'
echo

echo "檔案完整性檢查：重新讀取每個已歸檔檔案，並核對其 SHA-256（--full）："
fixity="$(docgen -w "$WS" archive report fixity --full)" || {
  echo "$fixity" >&2; echo "檔案完整性檢查發現示範歸檔區內有檔案遭變更或遺失" >&2; exit 1; }
tail -4 <<<"$fixity"
echo
echo "無法分類之檔案：存放於 records/unclassified/，待人工分類："
unclassified="$(docgen -w "$WS" archive report unclassified --format csv)"
echo "  共 $(($(wc -l <<<"$unclassified") - 1)) 個檔案；可用 docgen archive report unclassified 列出"
echo
echo "檢查能否僅憑已歸檔檔案及墓碑紀錄重建索引："
docgen -w "$WS" archive rebuild --check
