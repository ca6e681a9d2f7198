"""The workloads of the comparison: the self-written programs in bench/workloads/ (built
normally and with -fsanitize=address) and two real programs, python3 on
bench/programs/allocation_heavy.py and sqlite3 on 200,000 inserts.

Each workload knows its command for a given allocator; `scale` sets its size (the full
run and --quick use different scales)."""
import dataclasses
import functools
import os
import shutil
import subprocess

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SQLITE_FULL_INSERTS = 200000


@dataclasses.dataclass
class Workload:
    name: str
    program: str               # workload binary name, or "python3"/"sqlite3"
    full_scale: float
    quick_scale: float
    threads: int = 0           # 0: the program takes no thread count
    allocation_heavy: bool = True
    in_reduced_set: bool = False  # also run under the slow allocators (valgrind)
    measures_exit: bool = False   # prints main_end_ns; the exit phase is measured
    external: bool = False        # not built here (python3, sqlite3)
    summary: str = ""             # one line for the report

    @property
    def label(self):
        return f"{self.name} ×{self.threads}" if self.threads else self.name


def all_workloads():
    """Full scales make each workload run about 1.2-1.5 s of CPU under glibc on the
    machine docs/benchmarks.md describes: long enough that start-up and noise do not
    decide the ratios. Quick scales are a smoke test of a few tens of milliseconds."""
    workloads = [
        Workload("small_object_churn", "small_object_churn", 7, 0.02, in_reduced_set=True,
                 summary="random replacement of 8-512 B objects in 20,000 slots (~5 MB live)"),
        Workload("working_set_churn", "working_set_churn", 5, 0.02,
                 summary="the same over 65,536 slots (~17 MB live, beyond the L2 cache)"),
        Workload("mixed_sizes_realloc", "mixed_sizes_realloc", 1.5, 0.02, in_reduced_set=True,
                 summary="16 B to 64 MiB, log-uniform, a third of the steps grow by realloc"),
        Workload("stl_heavy", "stl_heavy", 2.5, 0.05, in_reduced_set=True,
                 summary="std::map/unordered_map/list/string churn"),
        Workload("aligned_allocation", "aligned_allocation", 3.5, 0.02,
                 summary="posix_memalign/aligned_alloc, 16 B to 64 KiB alignment"),
    ]
    for threads in (1, 2, 4):
        workloads.append(Workload("larson", "larson", 5, 0.02, threads=threads,
                                  summary="slot tables rotate between threads: cross-thread frees"))
    for threads in (1, 2, 4):
        workloads.append(Workload("producer_consumer", "producer_consumer", 6, 0.02,
                                  threads=threads,
                                  summary="pairs of threads; 32-1024 B messages freed by the consumer"))
    workloads += [
        # Timed for its exit phase (its own table), not part of the speed comparison.
        Workload("live_blocks_at_exit", "live_blocks_at_exit", 1.0, 0.1,
                 allocation_heavy=False, in_reduced_set=True, measures_exit=True,
                 summary="100,000 blocks from 50 sites, never freed (the exit phase is timed)"),
        Workload("python3", "python3", 24, 1, allocation_heavy=False, external=True,
                 summary="bench/programs/allocation_heavy.py <rounds>"),
        Workload("sqlite3", "sqlite3", 1.3, 0.05, allocation_heavy=False, external=True,
                 in_reduced_set=True,
                 summary="sqlite3 :memory: < 200,000 INSERTs × scale, one transaction, indexed"),
    ]
    return workloads


def write_sqlite_script(path, scale):
    """SQL that creates a table and inserts scale x 200,000 rows in one transaction."""
    rows = max(100, int(SQLITE_FULL_INSERTS * scale))
    with open(path, "w", encoding="utf-8") as script:
        script.write("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, value REAL);\n")
        script.write("CREATE INDEX items_by_name ON items(name);\nBEGIN;\n")
        for row in range(rows):
            script.write(f"INSERT INTO items(name, value) VALUES('name-{row}', {row * 0.5});\n")
        script.write("COMMIT;\nSELECT count(*), sum(value) FROM items;\n")
    return rows


@dataclasses.dataclass
class Launch:
    """Everything needed to start one run."""
    argv: list
    env: dict
    stdin_path: str = ""
    missing: str = ""  # non-empty: this combination cannot run here (why)


@functools.lru_cache(maxsize=None)
def real_interpreter(program):
    """The interpreter binary behind `program`: a launcher script (pyenv's shim, for one)
    would start a shell and several helper processes per run, all under the allocator
    being measured, and the run would time their start-up instead of Python."""
    try:
        found = subprocess.run([program, "-c", "import sys; print(sys.executable)"],
                               capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return program
    executable = found.stdout.strip()
    return executable if executable and os.access(executable, os.X_OK) else program


def launch_for(workload, allocator, build_dir, scale, work_dir):
    env = {}
    if workload.external:
        program = shutil.which(workload.program)
        if not program:
            return Launch([], {}, missing=f"{workload.program} not installed")
        if workload.program == "python3":
            program = real_interpreter(program)
            argv = [program, os.path.join(BENCH_DIR, "programs", "allocation_heavy.py"),
                    str(max(1, int(scale)))]
            stdin_path = ""
        else:
            stdin_path = os.path.join(work_dir, f"sqlite_inserts_{scale}.sql")
            if not os.path.exists(stdin_path):
                write_sqlite_script(stdin_path, scale)
            argv = [program, ":memory:"]
        env.update(allocator.external_env)
    else:
        suffix = "_asan" if allocator.variant == "asan" else ""
        program = os.path.join(build_dir, "bench", "workloads", workload.program + suffix)
        if not os.path.exists(program):
            return Launch([], {}, missing=f"{program} is not built")
        argv = [program, f"{scale:g}"] + ([str(workload.threads)] if workload.threads else [])
        stdin_path = ""
    env.update(allocator.env)
    if allocator.preload:
        env["LD_PRELOAD"] = allocator.preload
    if workload.measures_exit and allocator.name == "ospdebug":
        # The exit-time leak report and JSON snapshot are what this workload measures.
        report = os.path.join(work_dir, "leaks.%p.json")
        env["OSP_OPTIONS"] = f"stack_depth=16:detect_leaks=1:report_path={report}:exitcode=0"
    return Launch(list(allocator.wrapper) + argv, env, stdin_path)
