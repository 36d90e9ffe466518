"""Runs a command with standard input and standard error on a pseudo-terminal, answering
each prompt in turn, as a person at a terminal would.

usage: pty_session.py STDOUT_FILE ANSWERS_JSON -- COMMAND...

The command's standard output goes to STDOUT_FILE; the terminal transcript is printed; the
exit status is the command's.
"""
import json
import os
import pty
import select
import subprocess
import sys
import time

out_path, answers = sys.argv[1], json.loads(sys.argv[2])
command = sys.argv[sys.argv.index("--") + 1:]

master, slave = pty.openpty()
with open(out_path, "wb") as out:
    proc = subprocess.Popen(command, stdin=slave, stdout=out, stderr=slave, close_fds=True)
os.close(slave)

transcript = b""
since_answer = b""
last_data = time.monotonic()
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    ready, _, _ = select.select([master], [], [], 0.05)
    if ready:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the command closed the terminal
            data = b""
        if not data:
            break
        transcript += data
        since_answer += data
        last_data = time.monotonic()
        continue
    # A prompt is a line ending in "? " or ": " after which the command waits for input.
    quiet = time.monotonic() - last_data > 0.2
    if answers and quiet and since_answer.endswith((b"? ", b": ")):
        os.write(master, (answers.pop(0) + "\n").encode())
        since_answer = b""
    if proc.poll() is not None and quiet:
        break
else:
    proc.kill()
    transcript += b"\n[pty_session: timed out]\n"

code = proc.wait()
sys.stdout.write(transcript.decode("utf-8", "replace"))
sys.exit(code)
