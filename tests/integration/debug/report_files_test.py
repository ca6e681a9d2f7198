#!/usr/bin/env python3
"""Report files are written safely in shared folders: names planted before the program
starts, where its <log_path>.<pid> file and its snapshot's temporary file will go, are
never followed, truncated or written to.

Each run forks, plants the names for the child's pid, then lets the child exec the program
(an error with halt_on_error=0, and a snapshot at exit):
 - symlinks at <log_path>.<pid>, at <report_path>.tmp.<pid> (the temporary name of earlier
   versions) and at <report_path> itself, each to a file that must keep its bytes: the log
   falls back to stderr with one warning line, the snapshot is written through a new
   temporary file and replaces the symlink at <report_path>;
 - a plain file of this user at <log_path>.<pid> (the same pid in an earlier run): appended to;
 - a FIFO at <log_path>.<pid>: refused at once (no hang waiting for a reader).

  report_files_test.py PROGRAM
"""
import json
import os
import signal
import sys
import tempfile
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import target_command  # noqa: E402  (programs of the target, emulated or not)

PRECIOUS = "precious bytes, not to be touched\n"


def run_planted(program, directory, options, plant):
    """Runs `program` with OSP_OPTIONS=options after plant(pid) ran; returns (status, stderr)."""
    ready_read, ready_write = os.pipe()
    stderr_path = os.path.join(directory, "stderr.txt")
    pid = os.fork()
    if pid == 0:
        try:
            os.close(ready_write)
            os.read(ready_read, 1)
            stderr = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(stderr, 2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            command, environment = target_command.command_and_environment(
                [program], dict(os.environ, OSP_OPTIONS=options))
            os.execve(command[0], command, environment)
        finally:
            os._exit(127)
    os.close(ready_read)
    plant(pid)
    os.write(ready_write, b"x")
    os.close(ready_write)
    deadline = time.monotonic() + 60
    while True:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None, "timed out (blocked on a planted file?)"
        time.sleep(0.02)
    with open(stderr_path, encoding="utf-8", errors="replace") as stream:
        return os.waitstatus_to_exitcode(status), stream.read()


def precious(path):
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(PRECIOUS)
    return path


def main():
    program = os.path.abspath(sys.argv[1])
    failures = []

    def check(condition, message):
        if not condition:
            failures.append(message)

    with tempfile.TemporaryDirectory() as directory:
        log_base = os.path.join(directory, "osp-log")
        snapshot = os.path.join(directory, "leaks.json")
        victims = {name: precious(os.path.join(directory, name))
                   for name in ("log-victim", "temporary-victim", "snapshot-victim")}
        options = f"halt_on_error=0:log_path={log_base}:report_path={snapshot}"

        def plant_symlinks(pid):
            os.symlink(victims["log-victim"], f"{log_base}.{pid}")
            os.symlink(victims["temporary-victim"], f"{snapshot}.tmp.{pid}")
            os.symlink(victims["snapshot-victim"], snapshot)

        status, stderr = run_planted(program, directory, options, plant_symlinks)
        check(status == 0, f"symlinks: exit status {status}: {stderr[-2000:]}")
        for name, path in victims.items():
            with open(path, encoding="utf-8") as stream:
                check(stream.read() == PRECIOUS, f"symlinks: {name} was written through a planted symlink")
        check("osp: warning: cannot open log_path file" in stderr and "a symlink" in stderr,
              f"symlinks: no warning about the planted log file: {stderr[-2000:]}")
        check("ERROR: osp: heap-buffer-overflow" in stderr, "symlinks: the report did not fall back to stderr")
        check(not os.path.islink(snapshot), "symlinks: the snapshot is still the planted symlink")
        if os.path.isfile(snapshot) and not os.path.islink(snapshot):
            with open(snapshot, encoding="utf-8") as stream:
                document = json.load(stream)
            check([error["kind"] for error in document["errors"]] == ["heap-buffer-overflow"],
                  "symlinks: the snapshot lacks the error")
        leftovers = sorted(name for name in os.listdir(directory)
                           if ".tmp." in name and not os.path.islink(os.path.join(directory, name)))
        check(leftovers == [], f"symlinks: temporary files left behind: {leftovers}")
        for name in os.listdir(directory):
            if name != "stderr.txt" and name not in victims:
                os.unlink(os.path.join(directory, name))

        def plant_own_file(pid):
            with open(f"{log_base}.{pid}", "w", encoding="utf-8") as stream:
                stream.write("from an earlier run\n")
            plant_own_file.path = f"{log_base}.{pid}"

        status, stderr = run_planted(program, directory, options, plant_own_file)
        check(status == 0, f"own file: exit status {status}")
        with open(plant_own_file.path, encoding="utf-8") as stream:
            text = stream.read()
        check(text.startswith("from an earlier run\n") and "ERROR: osp: heap-buffer-overflow" in text,
              "own file: the report was not appended to this user's existing log file")
        check("ERROR: osp" not in stderr, "own file: the report went to stderr")
        os.unlink(plant_own_file.path)

        status, stderr = run_planted(program, directory, options,
                                     lambda pid: os.mkfifo(f"{log_base}.{pid}"))
        check(status == 0, f"fifo: exit status {status}: {stderr[-500:]}")
        check("cannot open log_path file" in stderr and "ERROR: osp: heap-buffer-overflow" in stderr,
              "fifo: the planted FIFO was not refused with a warning")

    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        return 1
    print("ok: planted symlinks, an own earlier file and a FIFO at the report names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
