#!/usr/bin/env bash
# Starts (or stops) a real GNU Mailman 3 core from Debian on 127.0.0.1 for the live suite
# (test/live/mailman.test.ts).
#
#   scripts/live/mailman.sh start [ENV_FILE]   install when missing, start, write MAILMAN_URL / MAILMAN_USER /
#                                              MAILMAN_PASSWORD / MAILMAN_DOMAIN
#   scripts/live/mailman.sh stop  [ENV_FILE]   stop the server started by `start` (and remove ENV_FILE)
#
# ENV_FILE defaults to .tmp/mailman.env. The server runs from its own config file and var dir in
# $MAILMAN_LIVE_DIR (default /tmp/scimgw-mailman-live), not from Debian's /etc/mailman3 and /var/lib/mailman3,
# whose service stays untouched. Only the REST runner is started: REST on 127.0.0.1 at a free port, the null
# MTA (list creation would otherwise call Postfix's postmap), no LMTP/SMTP. The mail domain the lists use is
# $MAILMAN_DOMAIN (default lists.scimgw.test). Needs root (apt-get, su list). Idempotent: `start` on a running
# server only checks the domain and rewrites ENV_FILE; `stop` on a stopped one does nothing.
# Recipe and quirks: ../shared/reference/live-targets.md §2.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ACTION="${1:-}"
ENV_FILE="${2:-$ROOT/.tmp/mailman.env}"
WORK="${MAILMAN_LIVE_DIR:-/tmp/scimgw-mailman-live}"
DOMAIN="${MAILMAN_DOMAIN:-lists.scimgw.test}"
CFG="$WORK/mailman.cfg"
VAR="$WORK/var"
PID_FILE="$VAR/master.pid"
PORT_FILE="$WORK/port"
PASS_FILE="$WORK/admin_pass"
LOG="$WORK/start.log"
ADMIN_USER=restadmin
RUN_AS=list
PYTHON=/usr/bin/python3

log() { echo "mailman.sh: $*" >&2; }
die() { echo "mailman.sh: error: $*" >&2; exit 1; }

as_mailman() {
  # Mailman runs as Debian's `list` user; output redirected, or the caller waits on the daemon's stdout.
  su "$RUN_AS" -s /bin/sh -c "$1"
}

running_pid() {
  [[ -s "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && { echo "$pid"; return 0; }
  return 1
}

api() {
  # api METHOD PATH [JSON]: prints the HTTP status; the body goes to $WORK/last-answer.json.
  local method="$1" path="$2" data="${3:-}"
  local args=(-s -o "$WORK/last-answer.json" -w '%{http_code}' --max-time 10 -u "$ADMIN_USER:$(cat "$PASS_FILE")" -X "$method")
  [[ -n "$data" ]] && args+=(-H 'Content-Type: application/json' --data "$data")
  curl "${args[@]}" "http://127.0.0.1:$(cat "$PORT_FILE")/3.1$path" || echo 000
}

api_answers() {
  [[ -s "$PORT_FILE" && -s "$PASS_FILE" ]] || return 1
  [[ "$(api GET /system/versions)" == 200 ]]
}

install_mailman() {
  if dpkg-query -W -f='${Status}\n' mailman3 2>/dev/null | grep -qx 'install ok installed' && [[ -x /usr/bin/mailman ]]; then
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || die "installing Mailman needs root (apt-get)"
  command -v apt-get >/dev/null || die "apt-get not found: this script installs Debian's mailman3 package"
  log "installing Debian's mailman3 (about 30 s)"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -q >"$WORK/apt.log" 2>&1 || die "apt-get update failed (see $WORK/apt.log)"
  # Keep the package's own service from starting (it would take 127.0.0.1:8001 and :8024); this script
  # runs its own instance. Only add the policy when none is in place, and always remove ours.
  local policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
  fi
  local status=0
  timeout 600 apt-get install -y -q --no-install-recommends mailman3 >>"$WORK/apt.log" 2>&1 || status=$?
  [[ -n "$policy" ]] && rm -f "$policy"
  [[ $status == 0 ]] || die "apt-get install mailman3 failed with status $status (see $WORK/apt.log)"
  [[ -x /usr/bin/mailman ]] || die "mailman3 is installed but /usr/bin/mailman is missing"
}

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

write_config() {
  # Our own instance: every path under $VAR, REST on 127.0.0.1:$port, the null MTA, only the REST runner.
  local port="$1" lmtp_port="$2"
  [[ -s "$PASS_FILE" ]] || "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(18))' >"$PASS_FILE"
  chmod 600 "$PASS_FILE"
  local runners="archive bounces command digest in lmtp nntp out pipeline retry task virgin"
  {
    echo "# Written by scripts/live/mailman.sh; rewritten on every start."
    echo "[mailman]"
    echo "layout: scimgw"
    echo "site_owner: postmaster@$DOMAIN"
    echo
    echo "[paths.scimgw]"
    echo "var_dir: $VAR"
    echo "queue_dir: \$var_dir/queue"
    echo "bin_dir: /usr/lib/mailman3/bin"
    echo "list_data_dir: \$var_dir/lists"
    echo "log_dir: \$var_dir/logs"
    echo "lock_dir: \$var_dir/locks"
    echo "data_dir: \$var_dir/data"
    echo "cache_dir: \$var_dir/cache"
    echo "etc_dir: \$var_dir/etc"
    echo "messages_dir: \$var_dir/messages"
    echo "archive_dir: \$var_dir/archives"
    echo "template_dir: \$var_dir/templates"
    echo "pid_file: \$var_dir/master.pid"
    echo "lock_file: \$lock_dir/master.lck"
    echo
    echo "[database]"
    echo "class: mailman.database.sqlite.SQLiteDatabase"
    echo "url: sqlite:///\$DATA_DIR/mailman.db"
    echo
    echo "[webservice]"
    echo "hostname: 127.0.0.1"
    echo "port: $port"
    echo "use_https: no"
    echo "admin_user: $ADMIN_USER"
    echo "admin_pass: $(cat "$PASS_FILE")"
    echo
    echo "[mta]"
    echo "incoming: mailman.mta.null.NullMTA"
    echo "lmtp_host: 127.0.0.1"
    echo "lmtp_port: $lmtp_port"
    echo "smtp_host: 127.0.0.1"
    echo "smtp_port: 25"
    for runner in $runners; do
      echo
      echo "[runner.$runner]"
      echo "start: no"
    done
  } >"$CFG"
  chown root:"$RUN_AS" "$CFG"
  chmod 640 "$CFG"
}

write_env() {
  mkdir -p "$(dirname "$ENV_FILE")"
  {
    echo "MAILMAN_URL=http://127.0.0.1:$(cat "$PORT_FILE")"
    echo "MAILMAN_USER=$ADMIN_USER"
    echo "MAILMAN_PASSWORD=$(cat "$PASS_FILE")"
    echo "MAILMAN_DOMAIN=$DOMAIN"
  } >"$ENV_FILE"
  chmod 600 "$ENV_FILE"
  log "ready at http://127.0.0.1:$(cat "$PORT_FILE")/3.1, domain $DOMAIN (settings written to $ENV_FILE)"
}

ensure_domain() {
  local status
  status="$(api GET "/domains/$DOMAIN")"
  [[ "$status" == 200 ]] && return 0
  [[ "$status" == 404 ]] || die "GET /3.1/domains/$DOMAIN answered $status: $(cat "$WORK/last-answer.json" 2>/dev/null)"
  status="$(api POST /domains "{\"mail_host\":\"$DOMAIN\"}")"
  [[ "$status" == 201 ]] || die "creating the mail domain $DOMAIN answered $status: $(cat "$WORK/last-answer.json" 2>/dev/null)"
  log "created the mail domain $DOMAIN"
}

start() {
  mkdir -p "$WORK"
  if pid="$(running_pid)" && api_answers; then
    log "already running (pid $pid)"
    ensure_domain
    write_env
    return 0
  fi
  if running_pid >/dev/null; then log "a previous server does not answer; restarting it"; stop_server; fi
  install_mailman

  local port lmtp_port
  port="$(free_port)"
  lmtp_port="$(free_port)"
  echo "$port" >"$PORT_FILE"
  write_config "$port" "$lmtp_port"
  mkdir -p "$VAR"
  chown -R "$RUN_AS:$RUN_AS" "$VAR"
  rm -f "$PID_FILE"

  log "starting Mailman (REST runner only) on 127.0.0.1:$port"
  # --force: clear a stale master lock left by a killed run.
  as_mailman "cd $WORK && timeout 60 mailman -C $CFG start --force" >"$LOG" 2>&1 </dev/null \
    || die "mailman start failed (see $LOG and $VAR/logs/mailman.log)"

  for _ in $(seq 1 240); do
    if api_answers; then
      ensure_domain
      write_env
      return 0
    fi
    sleep 0.25
  done
  stop_server
  die "Mailman's REST API did not answer within 60 s on 127.0.0.1:$port (see $LOG and $VAR/logs/mailman.log)"
}

stop_server() {
  local pid
  pid="$(running_pid)" || pid=""
  if [[ -f "$CFG" ]]; then
    as_mailman "timeout 30 mailman -C $CFG stop" >>"$LOG" 2>&1 </dev/null || true
  fi
  # The master stops its runners and exits; wait for it, bounded, then make sure.
  if [[ -n "$pid" ]]; then
    for _ in $(seq 1 80); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "the master (pid $pid) did not stop within 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PID_FILE"
}

stop() {
  if running_pid >/dev/null; then
    stop_server
    log "stopped"
  else
    log "not running"
  fi
  rm -f "$ENV_FILE"
}

case "$ACTION" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [ENV_FILE]" >&2; exit 2 ;;
esac
