#!/usr/bin/env python3
"""Runs one command as a child process and reports what it cost, from the kernel's own accounting.

  measure.py OUT.json [--stdout FILE] [--stderr FILE] -- COMMAND [ARGS…]

Writes {"rc", "wall_s", "user_s", "sys_s", "peak_rss_kib"} to OUT.json. The figures come from
wait4(2) on the child: ru_utime / ru_stime are its user and system CPU, ru_maxrss its peak
resident set in KiB (Linux), the same number as VmHWM in /proc/PID/status at exit and as GNU
time's %M. Sampling /proc while the child runs could miss a short peak; wait4 cannot, and it
needs nothing beyond the Python standard library. Exits with the child's status.
"""
import json
import os
import subprocess
import sys
import time


def main() -> int:
    argv = sys.argv[1:]
    if "--" not in argv or argv.index("--") < 1:
        print(__doc__, file=sys.stderr)
        return 2
    split = argv.index("--")
    out_path, options, command = argv[0], argv[1:split], argv[split + 1:]
    files = {"--stdout": subprocess.DEVNULL, "--stderr": None}
    while options:
        flag, path = options[0], options[1]
        files[flag] = open(path, "wb")
        options = options[2:]
    start = time.monotonic()
    child = subprocess.Popen(command, stdout=files["--stdout"], stderr=files["--stderr"])
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting
    report = {
        "rc": child.returncode,
        "wall_s": round(wall, 4),
        "user_s": round(usage.ru_utime, 4),
        "sys_s": round(usage.ru_stime, 4),
        "peak_rss_kib": usage.ru_maxrss,
    }
    with open(out_path, "w") as f:
        json.dump(report, f)
    return child.returncode if child.returncode >= 0 else 128 - child.returncode


if __name__ == "__main__":
    sys.exit(main())
