"""A small xenstore client speaking the wire protocol directly (header: type, req_id, tx_id,
len; see Xen's io/xs_wire.h), for what xenstore-utils cannot show: transactions, EAGAIN,
error replies, quotas and watch events as they arrive."""

import socket
import struct

HEADER = struct.Struct("=IIII")

CONTROL, DIRECTORY, READ, GET_PERMS, WATCH, UNWATCH = 0, 1, 2, 3, 4, 5
TRANSACTION_START, TRANSACTION_END, INTRODUCE, RELEASE = 6, 7, 8, 9
GET_DOMAIN_PATH, WRITE, MKDIR, RM, SET_PERMS, WATCH_EVENT, ERROR = 10, 11, 12, 13, 14, 15, 16
IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET, RESET_WATCHES, DIRECTORY_PART = 17, 18, 19, 21, 22


class XenstoreError(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


def strings(*parts):
    return b"".join(p.encode() + b"\0" for p in parts)


class RawClient:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.req_id = 0
        self.events = []

    def close(self):
        self.sock.close()

    def _recv_exact(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("xenstored closed the connection")
            data += chunk
        return data

    def receive(self):
        kind, req_id, tx_id, length = HEADER.unpack(self._recv_exact(HEADER.size))
        return kind, req_id, tx_id, self._recv_exact(length)

    def send_raw(self, kind, payload, tx_id=0, length=None):
        self.req_id += 1
        size = len(payload) if length is None else length
        self.sock.sendall(HEADER.pack(kind, self.req_id, tx_id, size) + payload)
        return self.req_id

    def request(self, kind, payload, tx_id=0):
        """Sends a request and returns its reply payload; raises XenstoreError on ERROR."""
        req_id = self.send_raw(kind, payload, tx_id)
        while True:
            reply_kind, reply_id, reply_tx, body = self.receive()
            if reply_kind == WATCH_EVENT:
                self.events.append(body.split(b"\0")[:2])
                continue
            assert reply_id == req_id and reply_tx == tx_id
            if reply_kind == ERROR:
                raise XenstoreError(body.rstrip(b"\0").decode())
            assert reply_kind == kind
            return body

    def next_event(self):
        """The next watch event as [path, token] (blocks until one arrives)."""
        while not self.events:
            kind, _, _, body = self.receive()
            assert kind == WATCH_EVENT, kind
            self.events.append(body.split(b"\0")[:2])
        return self.events.pop(0)

    def write(self, path, value, tx_id=0):
        return self.request(WRITE, path.encode() + b"\0" + value, tx_id)

    def read(self, path, tx_id=0):
        return self.request(READ, strings(path), tx_id)

    def start(self):
        return int(self.request(TRANSACTION_START, strings("")).rstrip(b"\0"))

    def end(self, tx_id, commit=True):
        return self.request(TRANSACTION_END, strings("T" if commit else "F"), tx_id)
