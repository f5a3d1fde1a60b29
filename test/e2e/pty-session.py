"""Run a command in a real pseudo-terminal (its controlling terminal, as in a terminal emulator),
echo everything it wrote, and exit with its status.

  pty-session.py [--interrupt-on TEXT] [--timeout SECONDS] -- COMMAND [ARGS...]

--interrupt-on: once TEXT has appeared in the output, press Ctrl-C (the terminal's line
discipline turns ^C into SIGINT for the foreground process group). On timeout the command is
killed and the exit status is 124. Python's pty module is the portable way to get a real terminal.
"""
import fcntl
import os
import pty
import struct
import termios
import select
import signal
import sys
import time

args = sys.argv[1:]
interrupt_on = None
timeout = 30.0
while args and args[0] != "--":
    if args[0] == "--interrupt-on":
        interrupt_on = args[1].encode()
        args = args[2:]
    elif args[0] == "--timeout":
        timeout = float(args[1])
        args = args[2:]
    else:
        sys.exit("unknown option " + args[0])
args = args[1:]

pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
# A terminal has a size (a fresh pty says 0x0, which no terminal emulator does): 24 rows, 100 columns.
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
buf = b""
sent = False
deadline = time.time() + timeout
status = None
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        buf += data
        if interrupt_on is not None and not sent and interrupt_on in buf:
            os.write(fd, b"\x03")
            sent = True
else:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.stdout.write(buf.decode("utf-8", "replace"))
    sys.exit(124)
_, status = os.waitpid(pid, 0)
sys.stdout.write(buf.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
