"""The allocators a workload runs under, and how to find each one on this machine.

An allocator is a way to launch a program: an LD_PRELOAD library, a wrapper command
(valgrind), or a different build of the program (the -fsanitize=address variant).
Libraries are looked up through the dynamic linker's cache (ldconfig -p) and the
compiler's multiarch directories, never at a fixed path; one that is missing is kept
with the reason, and the harness skips it and says so."""
import dataclasses
import glob
import os
import shutil
import subprocess


@dataclasses.dataclass
class Allocator:
    name: str                 # short name used in tables
    description: str
    preload: str = ""         # library for LD_PRELOAD
    wrapper: tuple = ()       # command put before the program
    variant: str = "normal"   # which build of a self-written workload: normal or asan
    env: dict = dataclasses.field(default_factory=dict)
    # Extra environment for programs that are not self-written (python3, sqlite3).
    external_env: dict = dataclasses.field(default_factory=dict)
    missing: str = ""         # why it cannot run here (empty: available)
    reduced: bool = False     # runs on the reduced workload set only (too slow otherwise)

    @property
    def available(self):
        return not self.missing


def _command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""


def _linker_cache():
    """Maps library file names to paths from `ldconfig -p`."""
    libraries = {}
    for line in _command_output(["ldconfig", "-p"]).splitlines():
        name, arrow, path = line.strip().partition(" => ")
        if arrow:
            libraries.setdefault(name.split(" ")[0], path.strip())
    return libraries


def _multiarch_dirs():
    triple = _command_output(["gcc", "-print-multiarch"]).strip()
    dirs = []
    if triple:
        dirs += [f"/usr/lib/{triple}", f"/lib/{triple}"]
    return dirs + ["/usr/lib", "/lib"]


def find_system_library(candidates):
    """First of `candidates` (file names) the linker cache or multiarch dirs know."""
    cache = _linker_cache()
    for name in candidates:
        if name in cache and os.path.exists(cache[name]):
            return cache[name]
    for directory in _multiarch_dirs():
        for name in candidates:
            path = os.path.join(directory, name)
            if os.path.exists(path):
                return path
    return ""


def find_build_library(build_dir, file_name):
    """The shared library `file_name` built in `build_dir` (any subdirectory)."""
    matches = sorted(glob.glob(os.path.join(build_dir, "**", file_name), recursive=True))
    return matches[0] if matches else ""


def _compiler_asan_runtime():
    path = _command_output(["gcc", "-print-file-name=libasan.so"]).strip()
    return os.path.realpath(path) if os.path.isabs(path) and os.path.exists(path) else ""


def _preloaded(name, description, path, missing_text, **fields):
    return Allocator(name, description, preload=path,
                     missing="" if path else missing_text, **fields)


def discover(build_dir):
    """Every allocator of the comparison, available or not, in table order."""
    allocators = [Allocator("glibc", "the system malloc (glibc ptmalloc2)")]
    allocators.append(_preloaded(
        "jemalloc", "jemalloc (Debian libjemalloc2) by LD_PRELOAD",
        find_system_library(["libjemalloc.so.2", "libjemalloc.so"]),
        "libjemalloc.so.2 not found (scripts/install-deps.sh bench)"))
    allocators.append(_preloaded(
        "tcmalloc", "tcmalloc (Debian libgoogle-perftools4, minimal build) by LD_PRELOAD",
        find_system_library(["libtcmalloc_minimal.so.4", "libtcmalloc.so.4"]),
        "libtcmalloc_minimal.so.4 not found (scripts/install-deps.sh bench)"))
    allocators.append(_preloaded(
        "mimalloc", "mimalloc (Debian libmimalloc2.0) by LD_PRELOAD",
        find_system_library(["libmimalloc.so.2", "libmimalloc.so"]),
        "libmimalloc.so.2 not found (scripts/install-deps.sh bench)"))
    allocators.append(_preloaded(
        "osp", "libosp_malloc.so: osp's pool as malloc/new, by LD_PRELOAD",
        find_build_library(build_dir, "libosp_malloc.so"),
        "libosp_malloc.so is not built (target osp_malloc does not exist yet)"))
    allocators.append(_preloaded(
        "ospdebug", "libospdebug.so by LD_PRELOAD, OSP_OPTIONS=stack_depth=16, default quarantine",
        find_build_library(build_dir, "libospdebug.so"),
        "libospdebug.so is not built (OSP_BUILD_DEBUG_RUNTIME=OFF?)",
        env={"OSP_OPTIONS": "stack_depth=16"}))
    asan_runtime = _compiler_asan_runtime()
    allocators.append(Allocator(
        "asan", "AddressSanitizer: -fsanitize=address builds; python3/sqlite3 with gcc's "
                "libasan preloaded, detect_leaks=1",
        variant="asan",
        env={"ASAN_OPTIONS": "detect_leaks=1", "LSAN_OPTIONS": "exitcode=0"},
        external_env={"LD_PRELOAD": asan_runtime} if asan_runtime else {},
        missing="" if asan_runtime else "gcc's libasan.so not found"))
    allocators.append(_preloaded(
        "asan-rt", "gcc's libasan preloaded into the normal builds: ASan's allocator, "
                   "quarantine and interceptors without instrumentation, detect_leaks=0 "
                   "(like libospdebug under LD_PRELOAD, which checks leaks only when asked)",
        asan_runtime, "gcc's libasan.so not found",
        env={"ASAN_OPTIONS": "detect_leaks=0"}))
    valgrind = shutil.which("valgrind")
    allocators.append(Allocator(
        "valgrind", "valgrind memcheck (--leak-check=full), normal builds",
        wrapper=(valgrind or "valgrind", "--tool=memcheck", "--leak-check=full", "-q",
                 "--error-exitcode=0", "--log-file=/dev/null") if valgrind else (),
        missing="" if valgrind else "valgrind not installed", reduced=True))
    return allocators
