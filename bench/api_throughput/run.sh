#!/usr/bin/env bash
# The API throughput benchmark: VM.get_record calls per second against 1,000 VMs, over HTTPS
# keep-alive and over the Unix socket, and, as the anchor in the same run, nginx serving a
# static body of the same size over HTTPS on loopback: the ceiling of HTTP on this machine.
# The same load generator (http_load, 8 keep-alive connections) drives all three.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${BUILD:-$top/build}/bin"
seconds="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-8}"
work="$(mktemp -d)"
chmod 755 "$work"  # nginx workers read the static body from here
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

xapid_port="$(free_port)"
"$bin/xapid" --state-dir "$work/state" --https "127.0.0.1:$xapid_port" --unix "$work/xapi.sock" \
    --workers 2 --io-threads 2 2>"$work/xapid.log" &
pids+=($!)
for _ in $(seq 100); do grep -q ready "$work/xapid.log" 2>/dev/null && break; sleep 0.1; done

# 1,000 VMs, a session, and the request body of one VM.get_record.
/usr/bin/python3 - "$work" <<'PY'
import sys, xmlrpc.client, http.client, socket
work = sys.argv[1]
class C(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX); self.sock.connect(work + "/xapi.sock")
class T(xmlrpc.client.Transport):
    def make_connection(self, host):
        if not self._connection[1]: self._connection = host, C("localhost")
        return self._connection[1]
x = xmlrpc.client.ServerProxy("http://xapid/", transport=T())
s = x.session.login_with_password("root", "")["Value"]
for i in range(1000):
    vm = x.VM.create(s, {"name_label": f"bench-{i}", "memory_static_max": str(1 << 30),
                         "memory_dynamic_max": str(1 << 30), "other_config": {"n": str(i)}})["Value"]
body = xmlrpc.client.dumps((s, vm), "VM.get_record")
open(work + "/request.xml", "w").write(body)
conn = C("localhost"); conn.request("POST", "/", body=body); reply = conn.getresponse().read()
assert b"Success" in reply
open(work + "/reply.xml", "wb").write(reply)
PY

mkdir -p "$work/www"
cp "$work/reply.xml" "$work/www/index.xml"
nginx_port="$(free_port)"
cat > "$work/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$nginx_port ssl;
        ssl_certificate $work/state/xapid.pem;
        ssl_certificate_key $work/state/xapid.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $work/www;
        location / { default_type text/xml; try_files /index.xml =404; }
    }
}
CONF
/usr/sbin/nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
sleep 1

load() { "$bin/http_load" --connections "$connections" --seconds "$seconds" "$@"; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$2"; }

nginx="$(load --https "127.0.0.1:$nginx_port" --method GET)"
https="$(load --https "127.0.0.1:$xapid_port" --body-file "$work/request.xml")"
unix="$(load --unix "$work/xapi.sock" --body-file "$work/request.xml")"

size=$(stat -c %s "$work/reply.xml")
echo "api_throughput: VM.get_record over keep-alive, 1000 VMs, $connections connections, ${seconds}s each, reply $size bytes"
printf '  %-28s %10s calls/s  p50 %7s ms  p99 %7s ms\n' \
    "nginx static (anchor)" "$(field rate "$nginx")" "$(field p50_ms "$nginx")" "$(field p99_ms "$nginx")" \
    "xapid HTTPS" "$(field rate "$https")" "$(field p50_ms "$https")" "$(field p99_ms "$https")" \
    "xapid Unix socket" "$(field rate "$unix")" "$(field p50_ms "$unix")" "$(field p99_ms "$unix")"
/usr/bin/python3 -c "
n, h, u = $(field rate "$nginx"), $(field rate "$https"), $(field rate "$unix")
print(f'  ratio to nginx: HTTPS {h / n:.2f}, Unix socket {u / n:.2f} (target: HTTPS >= 0.50)')"
