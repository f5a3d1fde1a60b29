"""Run a command under a pseudo-terminal (its controlling terminal), press Ctrl-C once when the
output contains the word `ready`, and echo everything it wrote. Exit status: the command's.
Used by test/cli/token-exec-signals.test.ts; Python's pty module is the only portable way to get
a real terminal line discipline (which turns ^C into SIGINT for the foreground process group)."""
import os
import pty
import select
import sys
import time

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
buf = b""
sent = False
deadline = time.time() + 15
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if not ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    buf += data
    if not sent and b"ready" in buf:
        os.write(fd, b"\x03")
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(buf.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
