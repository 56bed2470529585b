"""A QEMU machine driven through its serial console: output is collected by a reader thread,
the test waits for text to appear and types into the console. QEMU is always ended by its
PID when the test is done with it."""

import subprocess
import threading


class QemuConsole:
    def __init__(self, args):
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._output = bytearray()
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b""):
            with self._changed:
                self._output += chunk
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def log(self):
        with self._changed:
            return self._output.decode(errors="replace")

    def wait_for(self, text, timeout):
        """Waits until `text` has been printed; the log so far if it never is (QEMU ended or
        the generous timeout passed), so that the assertion shows what happened."""
        needle = text.encode()
        with self._changed:
            ok = self._changed.wait_for(
                lambda: needle in self._output or self.proc.poll() is not None, timeout)
            return ok and needle in self._output

    def wait_for_pattern(self, pattern, timeout, start=0):
        """Waits until the compiled regular expression `pattern` matches the output from
        character `start` on; the match, or None if QEMU ended or the timeout passed."""
        found = []

        def matched():
            m = pattern.search(self._output.decode(errors="replace")[start:])
            if m:
                found.append(m)
            return m is not None or self.proc.poll() is not None

        with self._changed:
            self._changed.wait_for(matched, timeout)
        return found[0] if found else None

    def type(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join()
