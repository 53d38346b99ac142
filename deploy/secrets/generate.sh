#!/usr/bin/env bash
# Writes the secret files compose.yaml mounts at /run/secrets/<name>. Existing files are kept, so
# re-running never rotates a secret by accident (delete a file to regenerate it).
#
#   bash deploy/secrets/generate.sh
#
# chat_webhook_url and pager_routing_key get placeholders: put the real Slack-compatible incoming
# webhook URL and PagerDuty Events v2 routing key there before relying on alerts.
set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
umask 022
chmod 700 "$dir"

rand() { head -c "$1" /dev/urandom | base64 | tr -d '\n'; }
urlsafe() { head -c "$1" /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }

put() { # name value: write once, readable by the containers' non-root users
  local file="$dir/$1"
  if [[ -e $file ]]; then
    echo "kept      $1"
  else
    printf '%s' "$2" >"$file"
    chmod 644 "$file"
    echo "generated $1"
  fi
}

put postgres_password "$(urlsafe 24)"
# DATABASE_URL must carry the same password as the PostgreSQL container's.
put database_url "postgres://latchkey:$(cat "$dir/postgres_password")@postgres:5432/latchkey"
put key_encryption_key "$(rand 32)"
put smtp_url "smtp://mailpit:1025"
put metrics_token "$(urlsafe 32)"
put grafana_admin_password "$(urlsafe 18)"
put chat_webhook_url "https://chat.invalid/replace-with-your-incoming-webhook"
put pager_routing_key "replace-with-your-pagerduty-routing-key"
