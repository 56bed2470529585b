#!/bin/sh
# /usr/bin/xapid of dom0's stack image. `xapid --stdio` (what the ssh transport of xm and the
# bindings runs) goes to the xapid daemon already serving /var/run/xend/xen-api.sock, through
# xapi-stdio-relay, so that one daemon owns the state directory; anything else, and --stdio
# while no daemon runs, is xapid itself (/usr/lib/tern/xapid).
if [ "$*" = "--stdio" ] && [ -S /var/run/xend/xen-api.sock ]; then
    exec xapi-stdio-relay /var/run/xend/xen-api.sock
fi
exec /usr/lib/tern/xapid "$@"
