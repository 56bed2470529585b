#!/usr/bin/env bash
# `make run`: starts xapid in the foreground with the sim backend, serving HTTPS on
# 127.0.0.1:${HTTPS_PORT:-8443} and a Unix socket, and says how to reach it. Ctrl-C stops it.
# (Booting Tern with dom0 in QEMU joins this once the hypervisor runs dom0.)
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$top/build}"
state="${STATE_DIR:-$build/run-state}"
port="${HTTPS_PORT:-8443}"
sock="$state/xapi.sock"
mkdir -p "$state"

cat <<TXT
xapid (backend sim) is starting.
  HTTPS:        https://127.0.0.1:$port/  (self-signed certificate: $state/xapid.pem)
  Unix socket:  $sock  (root logs in without a password)
  Credentials:  over HTTPS, any local account of this machine (PAM service "xapid");
                over the Unix socket as root, none.

Three things to try from another terminal:
  curl --cacert $state/xapid.pem https://127.0.0.1:$port/
  /usr/bin/python3 $top/scripts/xapi-example.py --socket $sock
  /usr/bin/python3 $top/scripts/xapi-example.py --url https://127.0.0.1:$port/ \\
      --cacert $state/xapid.pem --user \$USER

Press Ctrl-C to stop.
TXT
exec "$build/bin/xapid" --backend sim --state-dir "$state" --https "127.0.0.1:$port" --unix "$sock"
