"""Run a command on a real pseudo-terminal, as a person at a keyboard would, and report what happened.

usage: pty.py SCRIPT_JSON -- command args...

SCRIPT_JSON is a list of steps run in order:
  {"expect": "<regex>", "timeout": 15}   wait until the screen output so far matches
  {"send": "<text>"}                      type these characters (e.g. "\\u0003" is Ctrl-C)
  {"sleep": 0.2}                          wait a little
The command runs in its own session with the pty as its controlling terminal (so the line
discipline turns ^C into SIGINT for its foreground process group, exactly as in a terminal
emulator). The pty is 80x24 unless PTY_COLS/PTY_ROWS say otherwise. We keep the slave side open
ourselves, so after the command has exited we can read the terminal modes it left behind.

Prints one JSON object: status (exit code, or -signal), output (everything written to the
terminal), failedStep (index of an expect that timed out, or null), msAfterLastSend (time from the
last keystroke to exit), and lflag: which of ISIG, ICANON, ECHO are on after exit.
"""
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

args = sys.argv[1:]
script = json.loads(args[0])
cmd = args[args.index("--") + 1:]

master, slave = os.openpty()
cols = int(os.environ.get("PTY_COLS", "80"))
rows = int(os.environ.get("PTY_ROWS", "24"))
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def become_terminal_session():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


proc = subprocess.Popen(
    cmd, stdin=slave, stdout=slave, stderr=slave, preexec_fn=become_terminal_session, close_fds=True
)
buf = b""


def pump(wait):
    global buf
    r, _, _ = select.select([master], [], [], wait)
    if r:
        try:
            data = os.read(master, 65536)
        except OSError:
            return False
        buf += data
    return True


failed = None
last_send = None
for i, step in enumerate(script):
    if "expect" in step:
        pat = re.compile(step["expect"].encode())
        deadline = time.time() + float(step.get("timeout", 15))
        while not pat.search(buf):
            if time.time() > deadline or proc.poll() is not None:
                # drain what is left before giving up
                while pump(0.05) and proc.poll() is None and time.time() < deadline:
                    pass
                if not pat.search(buf):
                    failed = i
                break
            pump(0.05)
        if failed is not None:
            break
    elif "send" in step:
        os.write(master, step["send"].encode())
        last_send = time.time()
    elif "sleep" in step:
        end = time.time() + float(step["sleep"])
        while time.time() < end:
            pump(0.02)

deadline = time.time() + float(os.environ.get("PTY_EXIT_TIMEOUT", "10"))
while proc.poll() is None and time.time() < deadline:
    pump(0.02)
timed_out = proc.poll() is None
if timed_out:
    proc.send_signal(signal.SIGKILL)
    proc.wait()
exited_at = time.time()
while pump(0.05):
    r, _, _ = select.select([master], [], [], 0)
    if not r:
        break
lflag = termios.tcgetattr(slave)[3]
status = proc.returncode
print(
    json.dumps(
        {
            "status": status,
            "timedOut": timed_out,
            "output": buf.decode("utf-8", "replace"),
            "failedStep": failed,
            "msAfterLastSend": None if last_send is None else round((exited_at - last_send) * 1000),
            "lflag": {
                "ISIG": bool(lflag & termios.ISIG),
                "ICANON": bool(lflag & termios.ICANON),
                "ECHO": bool(lflag & termios.ECHO),
            },
        }
    )
)
