"""Runs the Google Benchmark programs of bench/micro/ and reads their JSON output.
Results are keyed by benchmark name ("pair/pool/64", "BM_CaptureFramePointer/16", ...)
and hold nanoseconds per iteration plus items per second."""
import json
import os
import subprocess

MICRO_PROGRAMS = [
    "osp_pool_benchmark",
    "osp_pair_benchmark_glibc",
    "osp_pair_benchmark_debug",
    "osp_pair_benchmark_asan",
    "osp_debug_internals_benchmark",
    "osp_trace_benchmark",
]
_NANOSECONDS_PER = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def run_program(path, min_time_seconds, extra_env=None, repetitions=1):
    """Returns ({name: {"ns": float, "items_per_second": float}}, error text). With
    several repetitions each result is their median: one busy moment on a shared machine
    moves it less than it moves a single run."""
    env = dict(os.environ)
    env.update(extra_env or {})
    command = [path, "--benchmark_format=json", f"--benchmark_min_time={min_time_seconds}"]
    if repetitions > 1:
        command += [f"--benchmark_repetitions={repetitions}",
                    "--benchmark_report_aggregates_only=true"]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, env=env,
                                   timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {}, f"{os.path.basename(path)}: {error}"
    try:
        document = json.loads(completed.stdout)
    except json.JSONDecodeError:
        tail = " | ".join(completed.stderr.strip().splitlines()[-4:])
        return {}, f"{os.path.basename(path)}: no JSON output (exit {completed.returncode}): {tail}"
    results = {}
    errors = []
    for entry in document.get("benchmarks", []):
        if entry.get("error_occurred"):
            errors.append(f"{entry['name']}: {entry.get('error_message', 'error')}")
            continue
        if entry.get("run_type") == "aggregate":
            if entry.get("aggregate_name") != "median":
                continue
            entry = dict(entry, name=entry["run_name"])
        scale = _NANOSECONDS_PER.get(entry.get("time_unit", "ns"), 1.0)
        # CPU time of the timed thread, except for benchmarks that ask for wall time (their
        # work spans threads): on a busy machine it is the steadier of the two.
        timed = entry["real_time"] if "/real_time" in entry["name"] else entry["cpu_time"]
        results[entry["name"]] = {
            "ns": timed * scale,
            "items_per_second": entry.get("items_per_second"),
        }
    error = "; ".join(errors)
    if completed.returncode != 0:
        error = (error + "; " if error else "") + f"exit status {completed.returncode}"
    return results, error


def run_all(build_dir, quick):
    """Runs every micro-benchmark program that is built. Returns (results, problems):
    results maps program name to its result dict; problems lists skipped or failed ones."""
    min_time = 0.02 if quick else 0.3
    repetitions = 1 if quick else 5
    results = {}
    problems = []
    for program in MICRO_PROGRAMS:
        path = os.path.join(build_dir, "bench", "micro", program)
        if not os.path.exists(path):
            problems.append(f"{program}: not built, skipped")
            continue
        env = {}
        if program == "osp_pair_benchmark_debug":
            env["OSP_OPTIONS"] = "stack_depth=10"
        if program == "osp_pair_benchmark_asan":
            env["ASAN_OPTIONS"] = "detect_leaks=1"
        program_results, error = run_program(path, min_time, env, repetitions)
        results[program] = program_results
        if error:
            problems.append(f"{program}: {error}")
    return results, problems


def find(results, program, name):
    """ns per iteration of one benchmark, or None when it did not run."""
    entry = results.get(program, {}).get(name)
    return entry["ns"] if entry else None
