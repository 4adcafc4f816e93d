#!/usr/bin/env bash
# The main job on the bundled example office: `make demo` runs this.
# Usage: scripts/demo.sh WORKSPACE_DIR
# Lays out a fresh example workspace, then runs each step in scripts/demo/ in order.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ws="${1:-build/demo-office}"
export PATH="$here/../.venv/bin:$PATH"
rm -rf "$ws"
mkdir -p "$(dirname "$ws")"
export WS="$(cd "$(dirname "$ws")" && pwd)/$(basename "$ws")"
export DOCGEN_WORKSPACE="$WS"
# step_title NAME: the heading a step is shown under (empty for a step not listed here).
step_title() {
  case "$1" in
    10-foundation) echo "工作區、帳號清冊與查詢紀錄" ;;
    20-calendar) echo "年度應辦事項與工作日" ;;
    30-forms) echo "填製附件1–6" ;;
    40-audit) echo "月抽查、帳號清查與半年抽查" ;;
    50-package) echo "月抽查卷宗（彩色掃描與佐證）" ;;
    60-archive) echo "歸檔、保存年限與銷毀" ;;
    70-web) echo "網頁應用程式" ;;
  esac
}
for step in "$here"/demo/*.sh; do
  name="$(basename "$step" .sh)"
  title="$(step_title "$name")"
  echo
  echo "=== 步驟 ${name}${title:+：$title} ==="
  bash "$step"
done
echo
echo "示範完成。範例機關之工作區位於 $WS；"
echo "其機關資料庫（SQLite）為 $WS/.docgen/office.sqlite（檢查：docgen db check；備份：docgen db backup FILE）。"
