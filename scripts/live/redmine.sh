#!/usr/bin/env bash
# Starts (or stops) a real Redmine 5.0 from Debian on 127.0.0.1 for the live suite (test/live/redmine.test.ts).
#
#   scripts/live/redmine.sh start [ENV_FILE]   install when missing, start, write REDMINE_URL / REDMINE_API_KEY
#   scripts/live/redmine.sh stop  [ENV_FILE]   stop the server started by `start` (and remove ENV_FILE)
#
# ENV_FILE defaults to .tmp/redmine.env. The server's working files (pid, log, rails tmp) live in
# $REDMINE_LIVE_DIR (default /tmp/scimgw-redmine-live). Needs root (apt-get, su www-data). Idempotent:
# `start` on a running server only rewrites ENV_FILE; `stop` on a stopped one does nothing.
# Recipe and quirks: ../shared/reference/live-targets.md §1.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ACTION="${1:-}"
ENV_FILE="${2:-$ROOT/.tmp/redmine.env}"
WORK="${REDMINE_LIVE_DIR:-/tmp/scimgw-redmine-live}"
APP=/usr/share/redmine
PID_FILE="$WORK/server.pid"
PORT_FILE="$WORK/port"
KEY_FILE="$WORK/admin_api_key"
LOG="$WORK/server.log"

log() { echo "redmine.sh: $*" >&2; }
die() { echo "redmine.sh: error: $*" >&2; exit 1; }

as_redmine() {
  # Runs a shell command as www-data in Redmine's folder with the production environment.
  su www-data -s /bin/sh -c "cd $APP && RAILS_ENV=production REDMINE_INSTANCE=default $1"
}

running_pid() {
  [[ -s "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  alive "$pid" && { echo "$pid"; return 0; }
  return 1
}

alive() {
  # A live process, not a zombie left by a wrapper whose parent never reaped it.
  [[ "$1" =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null && [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]
}

api_answers() {
  # 200 from the REST API with the admin key: Redmine is up, REST is on and the key is good.
  local port="$1" key="$2"
  curl -fs -o /dev/null --max-time 5 -H "X-Redmine-API-Key: $key" "http://127.0.0.1:$port/users/current.json"
}

write_env() {
  mkdir -p "$(dirname "$ENV_FILE")"
  printf 'REDMINE_URL=http://127.0.0.1:%s\nREDMINE_API_KEY=%s\n' "$(cat "$PORT_FILE")" "$(cat "$KEY_FILE")" >"$ENV_FILE"
  log "ready at http://127.0.0.1:$(cat "$PORT_FILE") (settings written to $ENV_FILE)"
}

install_redmine() {
  if dpkg-query -W -f='${Status}\n' redmine redmine-sqlite 2>/dev/null | grep -c 'install ok installed' | grep -qx 2 \
     && [[ -f "$APP/Gemfile.local" ]]; then
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || die "installing Redmine needs root (apt-get)"
  command -v apt-get >/dev/null || die "apt-get not found: this script installs Debian's redmine package"
  log "installing Debian's redmine and redmine-sqlite (about a minute)"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -q >/dev/null || die "apt-get update failed"
  # The first configure fails on this image (bundler cannot see some Debian-packaged gems); fixed below.
  timeout 600 apt-get install -y -q --no-install-recommends redmine redmine-sqlite >"$WORK/apt.log" 2>&1 || true
  dpkg-query -W redmine >/dev/null 2>&1 && [[ -d "$APP" ]] || die "apt-get could not install redmine (see $WORK/apt.log)"
  # Bundler wants the gem directory of every Debian-packaged gem to exist, even when it is empty.
  ruby -e 'Gem::Specification.each { |s| next unless s.loaded_from.to_s.include?("rubygems-integration"); puts s.full_gem_path unless File.exist?(s.full_gem_path) }' | xargs -r mkdir -p
  timeout 300 dpkg --configure -a >>"$WORK/apt.log" 2>&1 || die "dpkg --configure -a failed (see $WORK/apt.log)"
  # `rails server` needs a server gem in the bundle: Debian's ruby-webrick is already installed.
  echo 'gem "webrick"' >"$APP/Gemfile.local"
  (cd "$APP" && timeout 300 bundle install --local --quiet) >>"$WORK/apt.log" 2>&1 || die "bundle install --local failed (see $WORK/apt.log)"
  chown www-data:www-data /var/lib/redmine/Gemfile.lock 2>/dev/null || true
  # Wait for SQLite's lock instead of answering 500 "database is locked" under concurrent writes.
  local db=/etc/redmine/default/database.yml
  if [[ -f "$db" ]] && ! grep -q 'timeout:' "$db"; then sed -i '/^production:/a\  timeout: 5000' "$db"; fi
}

free_port() {
  ruby -rsocket -e 's = TCPServer.new("127.0.0.1", 0); puts s.addr[1]; s.close'
}

start() {
  mkdir -p "$WORK"
  if pid="$(running_pid)" && [[ -s "$PORT_FILE" && -s "$KEY_FILE" ]] && api_answers "$(cat "$PORT_FILE")" "$(cat "$KEY_FILE")"; then
    log "already running (pid $pid)"
    write_env
    return 0
  fi
  if pid="$(running_pid)"; then log "a previous server (pid $pid) does not answer; restarting it"; stop_server; fi
  install_redmine

  # Rails needs a writable ./tmp; give it ours.
  mkdir -p "$WORK/rails-tmp"
  chown www-data "$WORK" "$WORK/rails-tmp"
  if [[ -L "$APP/tmp" || ! -e "$APP/tmp" ]]; then ln -sfn "$WORK/rails-tmp" "$APP/tmp"; else chown -R www-data "$APP/tmp"; fi

  # Enable the REST API, clear "must change password", and print admin's API key (created when missing).
  log "enabling the REST API and reading the admin API key"
  as_redmine "timeout 120 bundle exec rails runner 'Setting.rest_api_enabled = \"1\"; u = User.find_by_login(\"admin\"); u.must_change_passwd = false; u.save!; puts \"KEY=#{u.api_key}\"'" \
    >"$WORK/runner.log" 2>&1 || die "rails runner failed (see $WORK/runner.log)"
  grep -o 'KEY=[0-9a-f]\{40\}' "$WORK/runner.log" | tail -1 | cut -d= -f2 >"$KEY_FILE"
  [[ -s "$KEY_FILE" ]] || die "no admin API key in the rails runner output (see $WORK/runner.log)"

  local port
  port="$(free_port)"
  echo "$port" >"$PORT_FILE"
  rm -f "$PID_FILE" "$WORK/rails.pid"
  log "starting rails server on 127.0.0.1:$port"
  # su itself in the background (not a shell function), so $! is the su process that waits for the server.
  su www-data -s /bin/sh -c "cd $APP && RAILS_ENV=production REDMINE_INSTANCE=default exec bundle exec rails server -u webrick -b 127.0.0.1 -p $port -e production -P $WORK/rails.pid >$LOG 2>&1 </dev/null" \
    >/dev/null 2>&1 </dev/null &
  echo $! >"$PID_FILE"

  local key
  key="$(cat "$KEY_FILE")"
  for _ in $(seq 1 120); do
    if api_answers "$port" "$key"; then write_env; return 0; fi
    running_pid >/dev/null || die "the server exited while starting (see $LOG)"
    sleep 0.5
  done
  stop_server
  die "Redmine did not answer within 60 s on 127.0.0.1:$port (see $LOG)"
}

ours() {
  # Alive, and one of the processes this script starts (su wrapper or rails server), not a recycled pid.
  alive "$1" && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q "rails server -u webrick -b 127.0.0.1"
}

stop_server() {
  local pids="" p
  for p in "$(cat "$WORK/rails.pid" 2>/dev/null)" "$(cat "$PID_FILE" 2>/dev/null)"; do
    ours "$p" && pids="$pids $p"
  done
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 40); do
    local left=0
    for p in $pids; do alive "$p" && left=1; done
    [[ $left == 0 ]] && break
    sleep 0.25
  done
  for p in $pids; do alive "$p" && kill -KILL "$p" 2>/dev/null || true; done
  rm -f "$PID_FILE" "$WORK/rails.pid"
}

stop() {
  if running_pid >/dev/null || [[ -s "$WORK/rails.pid" ]]; then
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
