"""A terminal for the system tests: a private tmux server whose window runs one command at a
time, with keys typed into it and its screen (and scroll-back) read, as a person at a terminal
would. After the command ends, the window shows `EXIT=<status>`."""

import shutil
import subprocess
import time


class Tmux:
    def __init__(self, socket):
        assert shutil.which("tmux"), "tmux is not installed (scripts/packages.txt lists it)"
        self.socket = str(socket)
        self.windows = 0

    def _tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.socket, *args], capture_output=True,
                              text=True, check=True).stdout

    @property
    def session(self):
        return f"t{self.windows}"

    def run(self, command, env=None, width=160, height=50):
        """Starts `command` in a new window (the previous one is closed). The new session is
        made before the old one is killed: tmux's server exits with its last session, and a
        client connecting while it exits fails ("server exited unexpectedly")."""
        previous = self.session if self.windows else None
        self.windows += 1
        exports = " ".join(f"{k}='{v}'" for k, v in (env or {}).items())
        # The scroll-back is set before the window is made: a guest's boot is long.
        self._tmux("start-server", ";", "set-option", "-g", "history-limit", "20000", ";",
                   "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
                   f"env {exports} sh -c '{command}'; echo EXIT=$?; sleep 3600")
        if previous:
            self._tmux("kill-session", "-t", previous)

    def keys(self, *keys):
        self._tmux("send-keys", "-t", self.session, "--", *keys)  # a key may begin with "-"

    def screen(self):
        """The window's text, its scroll-back included."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-", "-t", self.session)

    def wait_for(self, text, timeout):
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            assert time.monotonic() < deadline, f"{text!r} never appeared:\n{screen[-3000:]}"
            time.sleep(1)

    def close(self):
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True,
                       check=False)
