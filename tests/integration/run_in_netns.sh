#!/usr/bin/env bash
# Runs a command inside a fresh network namespace with only loopback up, and removes the
# namespace afterwards. Tests use it to bind privileged ports (443) without colliding with
# the host or with each other.
set -euo pipefail
ns="tern-test-$$-$RANDOM"
ip netns add "$ns"
trap 'ip netns delete "$ns" 2>/dev/null || true' EXIT
ip -n "$ns" link set lo up
ip netns exec "$ns" "$@"
