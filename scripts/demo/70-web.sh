#!/usr/bin/env bash
# Demo step 70: the web application (docgen serve) on the demo office. One web user
# per role of the regulation, each with a password generated here and printed once
# (never fixed in code; each is changed at the first sign-in), then how to start it.
# Run by scripts/demo.sh with $WS (and DOCGEN_WORKSPACE) set and docgen on PATH.
set -euo pipefail
: "${WS:?請經由 scripts/demo.sh 執行（由其設定 WS）}"

# gen_password: 20 random characters with an upper-case letter, a lower-case letter, a
# digit and another character in them (the password rules of docs/permissions.md).
gen_password() {
  python -c 'import secrets, string
pick = string.ascii_letters + string.digits
body = "".join(secrets.choice(pick) for _ in range(16))
print("Dg7-" + body)'
}

supervised_unit="市場行政科"
#        username    role        name
users=(
  "demo-admin      admin       管理者 陳美玲"
  "demo-clerk      clerk       承辦人 郭淑惠"
  "demo-supervisor supervisor  科長 林志明"
  "demo-auditor    auditor     稽核人員 王大同"
  "demo-ethics     ethics      政風人員 李文華"
  "demo-director   director    處長 張國強"
  "demo-archivist  archivist   檔管人員 黃怡君"
)

echo "為每一角色建立一位示範網頁使用者（密碼為隨機產生，僅顯示這一次；首次登入時須變更）："
echo "  帳號             角色         初始密碼"
for line in "${users[@]}"; do
  read -r username role name <<<"$line"
  password="$(gen_password)"
  unit=()
  if [ "$role" = supervisor ]; then unit=(--unit "$supervised_unit"); fi
  printf '%s\n' "$password" \
    | docgen -w "$WS" users add "$username" --role "$role" --name "$name" "${unit[@]}" \
        --password-stdin >/dev/null
  printf '  %-16s %-12s %s\n' "$username" "$role" "$password"
done
echo "  （科(室)主管 demo-supervisor 僅能看見 ${supervised_unit} 之資料）"
echo
echo "啟動網頁應用程式（僅聽取本機 127.0.0.1；機關網路上請置於具 TLS 之反向代理之後，見 README）："
echo "  docgen -w \"$WS\" serve"
echo "再以瀏覽器開啟 http://127.0.0.1:8000/ ，以上列帳號登入。"
