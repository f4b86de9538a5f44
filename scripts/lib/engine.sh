# Sourced by scripts/test: makes sure a Docker engine answers, starting one where we may.

ENGINE_WAIT_SECONDS="${ENGINE_WAIT_SECONDS:-60}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/primer-dockerd.log}"

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

how_to_get_docker() {
  cat >&2 <<'MSG'
error: no Docker engine answers (`docker info` failed).
  Linux:   install Docker Engine (Debian/Ubuntu: sudo apt-get install docker.io) and start it
           (sudo systemctl start docker), or run this script as root to have it done for you.
  macOS / Windows: install and start Docker Desktop, then run this script again.
MSG
  exit 1
}

# Debian packages the test command needs on a bare machine; installed only when missing.
apt_install_missing() {
  local missing=() pkg bin
  for pair in docker.io:dockerd debootstrap:debootstrap chromium:chromium; do
    pkg="${pair%%:*}"; bin="${pair##*:}"
    command -v "$bin" >/dev/null || [ -x "/usr/sbin/$bin" ] || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

can_provision_machine() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

# A daemon killed with its session leaves its pid file; a new dockerd refuses to start
# while it exists. Remove it only when that pid is not a live dockerd.
remove_stale_pidfile() {
  local pidfile=/var/run/docker.pid pid
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then return 0; fi
  say "removing stale $pidfile (pid ${pid:-?} is not a running dockerd)"
  rm -f "$pidfile"
}

start_dockerd() {
  local waited=0
  remove_stale_pidfile
  say "starting dockerd in the background (log: $DOCKERD_LOG)"
  # Fully detached: a daemon holding our stdout/stderr would keep CI's pipe open forever.
  setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  while ! engine_answers; do
    [ "$waited" -ge "$ENGINE_WAIT_SECONDS" ] && { tail -n 20 "$DOCKERD_LOG" >&2; die "dockerd did not answer within ${ENGINE_WAIT_SECONDS}s (log: $DOCKERD_LOG)"; }
    sleep 1; waited=$((waited + 1))
    # The first start may have lost a race with a dying daemon's pid file: retry once.
    if [ "$waited" = 10 ] && ! pgrep -x dockerd >/dev/null; then
      remove_stale_pidfile
      setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    fi
  done
}

ensure_engine() {
  if can_provision_machine; then apt_install_missing; fi
  engine_answers && return 0
  if can_provision_machine; then start_dockerd; return 0; fi
  how_to_get_docker
}
