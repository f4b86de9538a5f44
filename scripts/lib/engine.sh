# Sourced by scripts/test: makes sure a Docker engine answers, starting one where we may.
#
# An engine that already answers is used as it is. Where none does and we may provision the
# machine (root on Debian/Ubuntu), a current engine is installed: Debian 12's own docker.io is
# Engine 20.10 (end of life), whose messages and defaults differ from what learners install
# today, so Engine >= $ENGINE_MIN_MAJOR with BuildKit (docker-buildx) comes from Debian's newer
# suites, fetched through a private apt sources list and lists folder: the system's own apt
# sources are never changed.

ENGINE_WAIT_SECONDS="${ENGINE_WAIT_SECONDS:-60}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/primer-dockerd.log}"
ENGINE_MIN_MAJOR=28     # what the test command installs: what learners install today
ENGINE_WARN_BELOW=25    # an engine someone else runs, older than this, gets a warning
# Tried in order; the first whose docker.io is at or above ENGINE_MIN_MAJOR wins. Testing
# changes less often than the development release; any version >= the minimum is taken, so a
# build Debian stops serving does not break the command.
ENGINE_SUITES="${ENGINE_SUITES:-forky unstable}"
ENGINE_PACKAGES="docker.io docker-cli containerd docker-buildx tini-static"
ENGINE_APT_DIR="${ENGINE_APT_DIR:-/var/cache/docker-primer/apt}"

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

how_to_get_docker() {
  cat >&2 <<'MSG'
error: no Docker engine answers (`docker info` failed).
  Linux:   install Docker Engine 28 or newer (https://docs.docker.com/engine/install/) and
           start it (sudo systemctl start docker), or run this script as root on
           Debian/Ubuntu to have a current engine installed and started for you.
  macOS / Windows: install and start Docker Desktop, then run this script again.
MSG
  exit 1
}

can_provision_machine() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

# The major version of a version string such as "28.5.2+dfsg4-5" or "20.10.24+dfsg1"; 0 if none.
major_of() { local v="${1#*:}"; v="${v%%.*}"; [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0; }

# The installed dockerd's version ("" when there is none).
installed_dockerd_version() {
  local bin
  bin="$(command -v dockerd || echo /usr/sbin/dockerd)"
  [ -x "$bin" ] || return 0
  "$bin" --version 2>/dev/null | sed -n 's/^Docker version \([^, ]*\).*/\1/p'
}

# Debian packages the test command needs besides the engine; installed only when missing.
apt_install_missing() {
  local missing=() pkg bin
  for pair in debootstrap:debootstrap chromium:chromium iptables:iptables; do
    pkg="${pair%%:*}"; bin="${pair##*:}"
    command -v "$bin" >/dev/null || [ -x "/usr/sbin/$bin" ] || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# `suite_apt SUITE apt-get|apt-cache ARGS...` against that suite only: its own sources list
# and lists folder under ENGINE_APT_DIR.
suite_apt() {
  local suite="$1" tool="$2"; shift 2
  local dir="$ENGINE_APT_DIR/$suite"
  "$tool" -o Dir::Etc::sourcelist="$dir/sources.list" -o Dir::Etc::sourceparts=/dev/null \
    -o Dir::State::Lists="$dir/lists" -o Dir::Cache::Archives="$dir/archives" "$@"
}

# The candidate docker.io version in one suite ("" when it has none or cannot be reached).
suite_engine_version() {
  local suite="$1" dir="$ENGINE_APT_DIR/$1"
  mkdir -p "$dir/lists/partial" "$dir/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
    >"$dir/sources.list"
  suite_apt "$suite" apt-get update -qq >/dev/null 2>&1 || return 0
  suite_apt "$suite" apt-cache policy docker.io 2>/dev/null | sed -n 's/^ *Candidate: *\([^ ]*\).*/\1/p' | grep -v '(none)' || true
}

# Download the current engine's packages from the first suite that has Engine >= the minimum,
# then install them with the system's own apt (runc, iptables and libc come from it).
install_current_engine() {
  local suite version debs
  [ -f /usr/share/keyrings/debian-archive-keyring.gpg ] \
    || die "no /usr/share/keyrings/debian-archive-keyring.gpg to check Debian's packages with (apt-get install debian-archive-keyring)"
  for suite in $ENGINE_SUITES; do
    version="$(suite_engine_version "$suite")"
    if [ -n "$version" ] && [ "$(major_of "$version")" -ge "$ENGINE_MIN_MAJOR" ]; then
      say "installing Docker Engine $version with BuildKit (docker-buildx) from Debian's $suite packages"
      debs="$ENGINE_APT_DIR/$suite/debs"
      rm -rf "$debs"; mkdir -p "$debs"
      (cd "$debs" && suite_apt "$suite" apt-get download -qq -o APT::Sandbox::User=root $ENGINE_PACKAGES >/dev/null) \
        || die "apt-get download $ENGINE_PACKAGES from Debian's $suite failed"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null || die "apt-get update failed"
      # No service is started by the packages' scripts: start_dockerd starts it, detached.
      local policy=/usr/sbin/policy-rc.d added_policy=""
      [ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; added_policy=1; }
      apt-get install -y -qq -o Dpkg::Options::=--force-confold "$debs"/*.deb >"$ENGINE_APT_DIR/install.log" 2>&1 \
        || { [ -z "$added_policy" ] || rm -f "$policy"; tail -n 20 "$ENGINE_APT_DIR/install.log" >&2
             die "apt-get install of the engine's packages ($debs) failed (log: $ENGINE_APT_DIR/install.log)"; }
      [ -z "$added_policy" ] || rm -f "$policy"
      rm -rf "$debs"
      return 0
    fi
    say "Debian's $suite has no Docker Engine >= $ENGINE_MIN_MAJOR (found: ${version:-none})"
  done
  die "no Debian suite among '$ENGINE_SUITES' serves Docker Engine >= $ENGINE_MIN_MAJOR; install Docker Engine by hand (https://docs.docker.com/engine/install/)"
}

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

# What the engine that answers is; a warning for one older than ENGINE_WARN_BELOW, and a stop
# where image builds could not go through BuildKit.
describe_engine() {
  local version
  version="$(docker version --format '{{.Server.Version}}' 2>/dev/null)"
  if [ "$(major_of "$version")" -lt "$ENGINE_WARN_BELOW" ]; then
    printf 'warning: Docker Engine %s is older than %s: the pages show what current engines (%s and newer) do, and some checks may fail on it\n' \
      "${version:-?}" "$ENGINE_WARN_BELOW" "$ENGINE_MIN_MAJOR" >&2
  fi
  docker buildx version >/dev/null 2>&1 \
    || die "docker buildx is missing: image builds need BuildKit (Debian/Ubuntu: apt-get install docker-buildx; Docker's own packages: docker-buildx-plugin)"
}

ensure_engine() {
  if can_provision_machine; then apt_install_missing; fi
  if ! engine_answers; then
    can_provision_machine || how_to_get_docker
    local installed
    installed="$(installed_dockerd_version)"
    if [ "$(major_of "$installed")" -lt "$ENGINE_MIN_MAJOR" ] || ! docker buildx version >/dev/null 2>&1; then
      [ -z "$installed" ] || say "the installed engine ($installed) is older than $ENGINE_MIN_MAJOR or lacks BuildKit: upgrading it"
      install_current_engine
    fi
    start_dockerd
  fi
  describe_engine
}
