"""The guest's side of xenstored's test ring (--guest-ring-for-test DIR:DOMID): the ring page
(struct xenstore_domain_interface of Xen's io/xs_wire.h) in a shared file, notifications as
bytes through two FIFOs. Lets a test play domain DOMID against the real daemon."""

import mmap
import os
import struct

import xs_raw_client as xs

RING_SIZE = 1024
REQ, RSP = 0, 1024
REQ_CONS, REQ_PROD, RSP_CONS, RSP_PROD = 2048, 2052, 2056, 2060
SERVER_FEATURES, CONNECTION, ERROR = 2064, 2068, 2072


def make_ring_directory(directory):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "page"), "wb") as page:
        page.write(b"\0" * 4096)
    os.mkfifo(os.path.join(directory, "kick"))
    os.mkfifo(os.path.join(directory, "event"))


class FileRingGuest:
    def __init__(self, directory):
        self.page_file = open(os.path.join(directory, "page"), "r+b")
        self.page = mmap.mmap(self.page_file.fileno(), 4096)
        self.kick = os.open(os.path.join(directory, "kick"), os.O_RDWR)
        self.event = os.open(os.path.join(directory, "event"), os.O_RDWR)
        self.pending = b""
        self.req_id = 0
        self.events = []

    def index(self, offset):
        return struct.unpack_from("=I", self.page, offset)[0]

    def set_index(self, offset, value):
        struct.pack_into("=I", self.page, offset, value & 0xFFFFFFFF)

    def notify(self):
        os.write(self.kick, b"k")

    def wait(self):
        os.read(self.event, 64)

    def send_bytes(self, data):
        while data:
            prod, cons = self.index(REQ_PROD), self.index(REQ_CONS)
            space = RING_SIZE - ((prod - cons) & 0xFFFFFFFF)
            if space == 0:
                self.wait()
                continue
            chunk = data[:space]
            for i, byte in enumerate(chunk):
                self.page[REQ + ((prod + i) % RING_SIZE)] = byte
            self.set_index(REQ_PROD, prod + len(chunk))
            self.notify()
            data = data[len(chunk):]

    def take_bytes(self):
        prod, cons = self.index(RSP_PROD), self.index(RSP_CONS)
        available = (prod - cons) & 0xFFFFFFFF
        data = bytes(self.page[RSP + ((cons + i) % RING_SIZE)] for i in range(available))
        if available:
            self.set_index(RSP_CONS, cons + available)
            self.notify()
        return data

    def receive(self):
        while True:
            self.pending += self.take_bytes()
            if len(self.pending) >= xs.HEADER.size:
                kind, req_id, tx_id, length = xs.HEADER.unpack_from(self.pending)
                if len(self.pending) >= xs.HEADER.size + length:
                    body = self.pending[xs.HEADER.size:xs.HEADER.size + length]
                    self.pending = self.pending[xs.HEADER.size + length:]
                    return kind, req_id, tx_id, body
            self.wait()

    def request(self, kind, payload, tx_id=0):
        self.req_id += 1
        self.send_bytes(xs.HEADER.pack(kind, self.req_id, tx_id, len(payload)) + payload)
        while True:
            reply_kind, reply_id, _, body = self.receive()
            if reply_kind == xs.WATCH_EVENT:
                self.events.append(body.split(b"\0")[:2])
                continue
            assert reply_id == self.req_id
            if reply_kind == xs.ERROR:
                raise xs.XenstoreError(body.rstrip(b"\0").decode())
            return body

    def next_event(self):
        while not self.events:
            kind, _, _, body = self.receive()
            assert kind == xs.WATCH_EVENT
            self.events.append(body.split(b"\0")[:2])
        return self.events.pop(0)
