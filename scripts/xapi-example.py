#!/usr/bin/python3
"""Logs in to xapid and lists the host and the VMs: the smallest XenAPI client, over the Unix
socket (as root, no password) or over HTTPS (a local account; the password is asked for)."""

import argparse
import getpass
import http.client
import socket
import ssl
import xmlrpc.client


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.socket_path)


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path):
        super().__init__()
        self.socket_path = path

    def make_connection(self, host):
        return UnixConnection(self.socket_path)


def value(result):
    if result["Status"] != "Success":
        raise SystemExit("error: " + " ".join(result["ErrorDescription"]))
    return result["Value"]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--socket", help="xapid's Unix socket")
    ap.add_argument("--url", help="xapid's HTTPS URL")
    ap.add_argument("--cacert", help="the certificate to trust for --url")
    ap.add_argument("--user", default="root")
    args = ap.parse_args()
    if args.socket:
        proxy = xmlrpc.client.ServerProxy("http://xapid/", transport=UnixTransport(args.socket))
        password = ""
    elif args.url:
        ctx = ssl.create_default_context(cafile=args.cacert)
        proxy = xmlrpc.client.ServerProxy(args.url, context=ctx)
        password = getpass.getpass(f"password for {args.user}: ")
    else:
        raise SystemExit("give --socket PATH or --url URL")
    session = value(proxy.session.login_with_password(args.user, password, "2.0", "xapi-example"))
    try:
        pool = value(proxy.pool.get_all(session))[0]
        host = value(proxy.pool.get_master(session, pool))
        record = value(proxy.host.get_record(session, host))
        print(f"host {record['name_label']}: API {record['API_version_major']}."
              f"{record['API_version_minor']} ({record['API_version_vendor']}), "
              f"{len(record['host_CPUs'])} CPUs")
        for ref, vm in value(proxy.VM.get_all_records(session)).items():
            print(f"  VM {vm['name_label']:20} {vm['power_state']:10} domid {vm['domid']:>3}  {vm['uuid']}")
    finally:
        value(proxy.session.logout(session))


if __name__ == "__main__":
    main()
