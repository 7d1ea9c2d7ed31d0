"""A tmux server of its own per watched tool, driven through one control-mode client.

Commands (capture-pane, send-keys, respawn-pane) go over the control client's pipe, so a
screen poll costs a round trip on tmux's socket instead of forking a tmux client: key
latency is measured with sub-millisecond resolution. The window is fixed at COLSxROWS
(window-size manual), so the control client never resizes it.
"""
import os
import queue
import subprocess
import threading
import time


class TmuxError(RuntimeError):
    pass


class Tmux:
    def __init__(self, sock, cols, rows, pipe_file):
        self.sock = sock
        self.cols, self.rows = cols, rows
        self.pipe_file = pipe_file
        self.blocks = queue.Queue()
        self.lock = threading.Lock()
        self.output_at = 0  # monotonic ns of the last %output notification
        self.outputs = 0    # %output notifications: tmux's reads of the pane, ~ the tool's writes
        self.first_outputs = []  # times of the first few (start-up)
        self.ctl = None
        self.reader = None

    def _tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, *args], capture_output=True, text=True, timeout=10)

    def start(self):
        """A session whose pane waits (a placeholder) until respawn() starts the tool."""
        r = self._tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", str(self.cols), "-y",
                       str(self.rows), "exec sleep 100000")
        if r.returncode:
            raise TmuxError("tmux new-session failed: " + r.stderr.strip())
        for opt in (("set", "-g", "window-size", "manual"), ("set", "-g", "remain-on-exit", "on"),
                    ("set", "-g", "status", "off")):
            self._tmux(*opt)
        self._tmux("resize-window", "-t", "t", "-x", str(self.cols), "-y", str(self.rows))
        self.ctl = subprocess.Popen(["tmux", "-L", self.sock, "-C", "attach", "-t", "t"], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.blocks.get(timeout=5)  # the attach's own (empty) reply
        size = self.cmd("display", "-p", "-t", "t", "#{pane_width}x#{pane_height}")
        if size != ["%dx%d" % (self.cols, self.rows)]:
            raise TmuxError("pane is %s, not %dx%d" % (size, self.cols, self.rows))

    def _read(self):
        block = None
        for raw in self.ctl.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if block is not None:
                if line.startswith("%end ") or line.startswith("%error "):
                    self.blocks.put((line.startswith("%end "), block))
                    block = None
                else:
                    block.append(line)
            elif line.startswith("%begin "):
                block = []
            elif line.startswith("%output "):
                self.output_at = time.monotonic_ns()
                self.outputs += 1
                if len(self.first_outputs) < 64:
                    self.first_outputs.append(self.output_at)
        self.blocks.put((False, ["control client ended"]))

    @staticmethod
    def _quote(a):
        return "'" + a.replace("'", "'\\''") + "'" if a else "''"

    def cmd(self, *args, timeout=10):
        """Runs one tmux command through the control client; returns its output lines."""
        with self.lock:
            self.ctl.stdin.write((" ".join(self._quote(a) for a in args) + "\n").encode())
            ok, lines = self.blocks.get(timeout=timeout)
        if not ok:
            raise TmuxError("tmux %s: %s" % (args[0], " ".join(lines)))
        return lines

    def capture(self, escapes=False):
        return "\n".join(self.cmd("capture-pane", "-p", *(["-e"] if escapes else []), "-t", "t"))

    def keys(self, *keys):
        self.cmd("send-keys", "-t", "t", *keys)

    def respawn(self, command):
        """Starts COMMAND in the pane (replacing whatever runs there); returns the monotonic ns
        just before tmux was asked to, and the pane's pid."""
        t0 = time.monotonic_ns()
        self.cmd("respawn-pane", "-k", "-t", "t", command)
        pid = int(self.cmd("display", "-p", "-t", "t", "#{pane_pid}")[0])
        return t0, pid

    def first_output_after(self, t0):
        """monotonic ns of the pane's first output after t0 (of the first 64 outputs), or None."""
        return next((t for t in self.first_outputs if t > t0), None)

    def pipe_on(self):
        self.cmd("pipe-pane", "-t", "t", "cat >> %s" % self._quote(self.pipe_file))

    def pipe_off(self):
        self.cmd("pipe-pane", "-t", "t")

    def wait_screen(self, pred, timeout_s, escapes=False, poll_s=0.002):
        """Polls the screen until pred(text) holds; returns the monotonic ns of the capture that
        satisfied it, or None on timeout."""
        end = time.monotonic() + timeout_s
        while True:
            text = self.capture(escapes)
            t = time.monotonic_ns()
            if pred(text):
                return t
            if time.monotonic() > end:
                return None
            time.sleep(poll_s)

    def close(self):
        try:
            if self.ctl and self.ctl.poll() is None:
                self.ctl.stdin.close()
                self.ctl.terminate()
        except OSError:
            pass
        self._tmux("kill-server")
        # tmux leaves its socket file behind: remove it once the server is gone
        path = os.path.join(os.environ.get("TMUX_TMPDIR", "/tmp"), "tmux-%d" % os.getuid(), self.sock)
        for _ in range(50):
            if self._tmux("list-sessions").returncode != 0:
                try:
                    os.unlink(path)
                except OSError:
                    pass
                break
            time.sleep(0.05)
