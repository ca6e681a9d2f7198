"""Runs one command and measures it: wall time from spawn to reap, peak RSS, exit status, and for programs that print `main_end_ns=<ns>`
(CLOCK_MONOTONIC, the same clock as time.monotonic_ns) the time spent after main
returned: exit handlers, leak reports, snapshots, unmapping.

Peak RSS comes from /usr/bin/time -f %M: the rusage of a child forked from this Python
process would also count the interpreter's pages from before exec (ru_maxrss survives
exec), so a small program would show Python's size. Without /usr/bin/time the wait4
figure is used and is an upper bound."""
import dataclasses
import os
import re
import subprocess
import tempfile
import threading
import time

MAIN_END_PATTERN = re.compile(rb"main_end_ns=(\d+)")


@dataclasses.dataclass
class Measurement:
    seconds: float
    peak_rss_kib: int
    exit_status: int
    exit_phase_seconds: float = None
    error: str = ""  # non-empty when the run failed (with the end of its stderr)
    # User + system CPU seconds of the program (and its children): less sensitive than
    # wall time to other work on a shared machine.
    cpu_seconds: float = None
    # The machine's 1-minute load average when the run started.
    load_average: float = None

    @property
    def ok(self):
        return not self.error


def _tail(path, lines=6):
    try:
        with open(path, "rb") as stream:
            text = stream.read()[-4000:].decode("utf-8", "replace")
    except OSError:
        return ""
    return " | ".join(text.strip().splitlines()[-lines:])


TIME_COMMAND = "/usr/bin/time"


def _read_peak_kib(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            lines = [line.strip() for line in stream if line.strip()]
        return int(lines[-1]) if lines and lines[-1].isdigit() else None
    except OSError:
        return None


def load_average():
    """The 1-minute load average, or None where /proc/loadavg cannot be read."""
    try:
        with open("/proc/loadavg", encoding="utf-8") as loadavg:
            return float(loadavg.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def run(argv, extra_env, stdin_path="", timeout_seconds=900):
    load_at_start = load_average()
    env = dict(os.environ)
    env.update(extra_env)
    with tempfile.TemporaryFile() as stdout, tempfile.NamedTemporaryFile() as stderr, \
            tempfile.NamedTemporaryFile() as peak_file:
        if os.access(TIME_COMMAND, os.X_OK):
            # The allocator's settings (LD_PRELOAD, OSP_OPTIONS, ...) reach only the measured
            # program, through env(1): /usr/bin/time itself must run on the plain libc, or
            # a preloaded runtime's exit work in it would be timed too.
            argv = ([TIME_COMMAND, "-f", "%M", "-o", peak_file.name, "env"] +
                    [f"{name}={value}" for name, value in extra_env.items()] + list(argv))
            env = dict(os.environ)
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        try:
            start = time.monotonic_ns()
            try:
                process = subprocess.Popen(argv, env=env, stdin=stdin, stdout=stdout,
                                           stderr=stderr)
            except OSError as error:
                return Measurement(0.0, 0, -1, error=f"cannot start {argv[0]}: {error}")
            timer = threading.Timer(timeout_seconds, process.kill)
            timer.start()
            _, status, usage = os.wait4(process.pid, 0)
            reaped = time.monotonic_ns()
            timed_out = not timer.is_alive()
            timer.cancel()
            process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        finally:
            if stdin_path:
                stdin.close()
        exit_status = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        output = stdout.read()
        peak_kib = _read_peak_kib(peak_file.name)
        measurement = Measurement((reaped - start) / 1e9,
                                  peak_kib if peak_kib is not None else usage.ru_maxrss,
                                  exit_status,
                                  cpu_seconds=usage.ru_utime + usage.ru_stime,
                                  load_average=load_at_start)
        found = MAIN_END_PATTERN.search(output)
        if found:
            measurement.exit_phase_seconds = (reaped - int(found.group(1))) / 1e9
        if timed_out:
            measurement.error = f"killed after the {timeout_seconds} s time limit"
        elif exit_status != 0:
            measurement.error = f"exit status {exit_status}: {_tail(stderr.name)}"
        return measurement
