#!/bin/sh
# As the official image: `docker run redis:7 --appendonly yes` means redis-server flags,
# protected mode is off (other containers must reach it) and the server runs as `redis`.
set -e
case "$1" in -*) set -- redis-server "$@" ;; esac
if [ "$1" = redis-server ]; then
  shift
  case "$1" in
    ""|-*) set -- redis-server --protected-mode no "$@" ;;
    *) conf="$1"; shift; set -- redis-server "$conf" --protected-mode no "$@" ;;
  esac
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data 2>/dev/null || true
    exec setpriv --reuid=redis --regid=redis --init-groups "$@"
  fi
fi
exec "$@"
