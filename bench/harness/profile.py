"""Where osp is slow: profiles one workload run with `perf` when hardware counters work
here, otherwise with valgrind's callgrind, and returns the top functions as text lines."""
import os
import re
import shutil
import subprocess
import tempfile


def perf_usable():
    if not shutil.which("perf"):
        return False
    completed = subprocess.run(["perf", "stat", "-e", "instructions", "true"],
                               capture_output=True, text=True, check=False)
    return completed.returncode == 0 and "<not supported>" not in completed.stderr


def _top_lines(text, count):
    """The first `count` lines, with object and source paths cut to their file names: the
    report must not carry the directories of this machine or of a package's build."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    lines = [re.sub(r"\[/[^\]]*/([^/\]]+)\]", r"[\1]", line) for line in lines[:count]]
    return [re.sub(r"(\s)\.?/\S*/([^/\s:]+:)", r"\1\2", line) for line in lines]


def _busiest_profile(directory):
    """The callgrind output in `directory` with the largest instruction total, or None."""
    best, best_total = None, -1
    for name in os.listdir(directory):
        if not name.startswith("callgrind.out."):
            continue
        path = os.path.join(directory, name)
        total = 0
        with open(path, errors="replace") as source:
            for line in source:
                if line.startswith(("summary:", "totals:")):
                    total = int(line.split()[1])
                    break
        if total > best_total:
            best, best_total = path, total
    return best


def profile(launch, count=15):
    """(tool name, lines) for the given launch (argv + env), or (None, [reason])."""
    env = dict(os.environ)
    env.update(launch.env)
    stdin = open(launch.stdin_path, "rb") if launch.stdin_path else subprocess.DEVNULL
    try:
        with tempfile.TemporaryDirectory() as work:
            if perf_usable():
                data = os.path.join(work, "perf.data")
                subprocess.run(["perf", "record", "-q", "-o", data, "--"] + launch.argv, env=env,
                               stdin=stdin, capture_output=True, check=False, timeout=900)
                report = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                                         "--sort", "symbol", "--percent-limit", "1"],
                                        capture_output=True, text=True, check=False)
                lines = [line for line in report.stdout.splitlines()
                         if line.strip() and not line.startswith("#")]
                return "perf", _top_lines("\n".join(lines), count)
            if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
                return None, ["neither perf with hardware counters nor callgrind is available"]
            # A launcher (a pyenv shim, a shell script) starts the real program as a child:
            # follow children and profile the process that ran the most instructions.
            subprocess.run(["valgrind", "--tool=callgrind", "--trace-children=yes",
                            "--callgrind-out-file=" + os.path.join(work, "callgrind.out.%p")]
                           + launch.argv, env=env, stdin=stdin, capture_output=True,
                           check=False, timeout=1800)
            output = _busiest_profile(work)
            if output is None:
                return None, ["callgrind produced no profile"]
            annotate = subprocess.run(["callgrind_annotate", "--inclusive=no", output],
                                      capture_output=True, text=True, check=False)
    except subprocess.TimeoutExpired:
        return None, ["the profiled run timed out"]
    finally:
        if launch.stdin_path:
            stdin.close()
    rows = [line for line in annotate.stdout.splitlines()
            if re.match(r"^\s*[\d,]+ \(\s*[\d.]+%\)\s+\S", line)]
    return "callgrind (instructions, self cost)", _top_lines("\n".join(rows), count)
