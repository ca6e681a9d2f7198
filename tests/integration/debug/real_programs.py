#!/usr/bin/env python3
"""Runs real programs under LD_PRELOAD=libospdebug.so with leak detection on and checks that
they behave as without it, and that the reports are honest.

  real_programs.py [--leakview OSP_LEAKVIEW] LIBRARY python|python_tests|sqlite|git|cmake
                   [PYTHON_TEST_MODULE ...]

Each command runs once plainly and once preloaded with
OSP_OPTIONS=detect_leaks=1:exitcode=0:report_path=...:log_path=... (reports go to files, so
stderr is the program's own). Checked: the same exit status and output (or, for CPython's
test suite, the same result line and counts), no `osp:` line on stderr, no runtime error in
any snapshot (every process writes one: git gc and cmake start many), and every named frame
plausible: its function is a function symbol of its module (or of the module's separate
debug file) whose extent contains the frame's address. With --leakview, the frames of
`osp-leakview summary` (which symbolizes offline what the runtime left unnamed) are checked
the same way. Stack depth is not checked.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

PYTHON_SCRIPT = r"""
import json, collections, re
data = {f"key{i}": [i, str(i) * 5, {"nested": list(range(i % 17))}] for i in range(20000)}
text = json.dumps(data)
back = json.loads(text)
words = collections.Counter(re.findall(r"\d", text))
chunks = [bytearray(n % 4096 + 1) for n in range(30000)]
del chunks
print(len(back), sum(words.values()) > 0)
"""

DEBUG_ROOT = "/usr/lib/debug"
FUNCTION_TYPES = set("TtWwi")  # nm's letters for code (weak data is V/v)
CLONE_SUFFIX = re.compile(r"( \[clone [^\]]*\])+$|(\.(constprop|isra|part|cold|lto_priv|localalias)(\.\d+)?)+$")


def symbol_lines(*command):
    result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    return result.stdout.splitlines() if result.returncode == 0 else []


def build_id(path):
    for line in symbol_lines("readelf", "-n", path):
        match = re.search(r"Build ID: ([0-9a-f]+)", line)
        if match:
            return match.group(1)
    return ""


def debug_file(path):
    """The module's separate debug file, where the runtime looks for it; None when none."""
    identity = build_id(path)
    if len(identity) > 4:
        candidate = f"{DEBUG_ROOT}/.build-id/{identity[:2]}/{identity[2:]}.debug"
        if os.path.isfile(candidate):
            return candidate
    for line in symbol_lines("readelf", "--string-dump=.gnu_debuglink", path):
        match = re.match(r"\s*\[\s*0\]\s+(\S+)", line)
        if match:
            directory = os.path.dirname(os.path.realpath(path))
            for candidate in (f"{directory}/{match.group(1)}", f"{directory}/.debug/{match.group(1)}",
                              f"{DEBUG_ROOT}{directory}/{match.group(1)}"):
                if os.path.isfile(candidate) and os.path.realpath(candidate) != os.path.realpath(path) \
                        and build_id(candidate) == identity:
                    return candidate
    return None


def plain_name(name):
    name = name.split("@")[0]
    return CLONE_SUFFIX.sub("", name).strip()


class SymbolTables:
    """Function symbols (start, end, name) of each module and its debug file, from nm -S."""

    def __init__(self):
        self.modules = {}

    def functions(self, path):
        if path not in self.modules:
            symbols = []
            separate = debug_file(path)
            files = [path] + ([separate] if separate else [])
            for file in files:
                for dynamic in ([], ["-D"]):
                    for line in symbol_lines("nm", *dynamic, "--defined-only", "-S", "-C", file):
                        parts = line.split(" ", 3)
                        if len(parts) == 4 and parts[2] in FUNCTION_TYPES:
                            start, size = int(parts[0], 16), int(parts[1], 16)
                            if size > 0:
                                symbols.append((start, start + size, plain_name(parts[3])))
            self.modules[path] = symbols
        return self.modules[path]

    def names_containing(self, path, address):
        return {name for start, end, name in self.functions(path) if start <= address < end}


def load_snapshots(directory):
    snapshots = []
    for path in sorted(glob.glob(os.path.join(directory, "osp.*.json"))):
        with open(path, encoding="utf-8") as stream:
            snapshots.append((path, json.load(stream)))
    return snapshots


UNNAMED = re.compile(r"^\S*\+0x[0-9a-f]+$")  # how osp-leakview shows a frame without a name


def leakview_stacks(path):
    """The frames osp-leakview shows for a snapshot, symbolized offline where needed."""
    result = subprocess.run([LEAKVIEW, "summary", "--format", "json", "--top", "0", "--kinds", "all", path],
                            capture_output=True, text=True, errors="replace", timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"osp-leakview summary {path} failed: {result.stderr.strip()}")
    return [site.get("frames", []) for site in json.loads(result.stdout)["sites"]]


def check_snapshots(directory, tables):
    """Problems found in the snapshots: runtime errors and implausible frame names."""
    problems = []
    snapshots = load_snapshots(directory)
    if not snapshots:
        return ["no snapshot was written"], 0
    checked = {}
    for path, snapshot in snapshots:
        for error in snapshot.get("errors", []):
            problems.append(f"{os.path.basename(path)}: runtime error {error.get('kind')}: {error.get('message')}")
        stacks = [site.get("frames", []) for site in snapshot.get("leaks", [])]
        stacks += [frames for error in snapshot.get("errors", []) for frames in error.get("stacks", {}).values()]
        if LEAKVIEW:
            stacks += leakview_stacks(path)
        for frames in stacks:
            for frame in frames:
                function = frame.get("function")
                if not function or UNNAMED.match(function):
                    continue
                module, offset = frame["module"], int(frame["module_offset"], 16)
                key = (module, offset, function)
                if key in checked:
                    continue
                # A frame is a return address: the call is the byte before it.
                names = tables.names_containing(module, offset - 1) if os.path.isfile(module) else set()
                checked[key] = plain_name(function) in names
                if not checked[key]:
                    problems.append(f"{os.path.basename(module)}+{hex(offset)} is named {function!r}; "
                                    f"function symbols there: {sorted(names) or 'none'}")
    return problems, len(checked)


def run(command, library, cwd=None, input_text=None, compare=None, environment=None, prepare=None,
        options=""):
    """Runs `command` plainly and preloaded; True when the preloaded run passes every check.
    `compare(plain, checked)` returns a problem or None; the default compares stdout.
    `prepare()` runs before each of the two runs (a fresh database, a fresh build tree)."""
    environment = dict(environment or os.environ)
    environment.pop("OSP_OPTIONS", None)
    if prepare:
        prepare()
    plain = subprocess.run(command, cwd=cwd, input=input_text, capture_output=True, text=True, errors="replace",
                           env=environment, timeout=900)
    with tempfile.TemporaryDirectory(prefix="osp-real-") as reports:
        if prepare:
            prepare()
        environment["LD_PRELOAD"] = library
        environment["OSP_OPTIONS"] = (f"detect_leaks=1:exitcode=0:report_path={reports}/osp.%p.json"
                                      f":log_path={reports}/log{options}")
        checked = subprocess.run(command, cwd=cwd, input=input_text, capture_output=True, errors="replace",
                                 text=True, env=environment, timeout=1800)
        problems = []
        if checked.returncode != plain.returncode:
            problems.append(f"exit status {checked.returncode}, {plain.returncode} without libospdebug")
        if "osp:" in checked.stderr:
            problems.append("osp wrote to stderr")
        difference = compare(plain, checked) if compare else (
            None if checked.stdout == plain.stdout else "output differs from a run without libospdebug")
        if difference:
            problems.append(difference)
        snapshot_problems, frames = check_snapshots(reports, SYMBOLS)
        problems += snapshot_problems
        count = len(glob.glob(os.path.join(reports, "osp.*.json")))
    if problems:
        print(f"FAILED: {' '.join(command)}:")
        for problem in problems[:40]:
            print(f"  {problem}")
        print("---- stdout ----\n" + checked.stdout[-3000:])
        print("---- stderr ----\n" + checked.stderr[-6000:])
        return False
    print(f"ok: {' '.join(command)} ({count} snapshots, {frames} named frames checked)")
    return True


SYMBOLS = SymbolTables()
LEAKVIEW = None


def python_test_result(plain, checked):
    """CPython's regrtest: the same totals and result as without osp. Its summary lines
    differ between 3.11 releases ("Total tests:"/"Result:" in later ones, "Tests result:"
    in Debian 12's 3.11.2)."""
    def summary(output):
        return [line for line in output.splitlines()
                if line.startswith(("Total tests:", "Result:", "Tests result:"))]
    expected, actual = summary(plain.stdout), summary(checked.stdout)
    if not expected:
        return "the plain run printed no test summary"
    return None if expected == actual else f"test results {actual}, without libospdebug {expected}"


def make_git_repository(git, directory, commits):
    """A repository with `commits` commits over a few dozen files, made with fast-import."""
    environment = dict(os.environ, GIT_AUTHOR_NAME="osp", GIT_AUTHOR_EMAIL="osp@example.org",
                       GIT_COMMITTER_NAME="osp", GIT_COMMITTER_EMAIL="osp@example.org")
    subprocess.run([git, "init", "-q", "-b", "main", directory], check=True, env=environment)
    stream = []
    for index in range(commits):
        message = f"change {index}\n"
        stream.append(f"commit refs/heads/main\nmark :{index + 1}\n"
                      f"committer osp <osp@example.org> {1700000000 + index * 60} +0000\n"
                      f"data {len(message)}\n{message}")
        if index > 0:
            stream.append(f"from :{index}\n")
        for file in range(index % 3 + 1):
            name = f"src/file{(index * 7 + file) % 40}.txt"
            body = "".join(f"line {line} of {name} at {index}\n" for line in range(index % 50 + 5))
            stream.append(f"M 644 inline {name}\ndata {len(body)}\n{body}\n")
    subprocess.run([git, "fast-import", "--quiet"], cwd=directory, input="".join(stream), text=True,
                   check=True, env=environment)
    subprocess.run([git, "checkout", "-q", "main"], cwd=directory, check=True, env=environment)
    with open(os.path.join(directory, "src/file3.txt"), "a") as handle:
        handle.write("changed\n")
    return environment


def main():
    global LEAKVIEW
    arguments = sys.argv[1:]
    if arguments[:1] == ["--leakview"]:
        LEAKVIEW, arguments = arguments[1], arguments[2:]
    library, program = arguments[0], arguments[1]
    with tempfile.TemporaryDirectory() as directory:
        if program == "python":
            return 0 if run([sys.executable, "-c", PYTHON_SCRIPT], library) else 1
        if program == "python_tests":
            modules = arguments[2:] or ["test_json", "test_re", "test_popen", "test_fork1", "test_wait4"]
            command = [sys.executable, "-m", "test", "--quiet", *modules]
            return 0 if run(command, library, cwd=directory, compare=python_test_result) else 1
        if program == "sqlite":
            sqlite = shutil.which("sqlite3")
            if sqlite is None:
                print("sqlite3 is not installed (scripts/install-deps.sh core)")
                return 1
            statements = ["CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, weight REAL);",
                          "CREATE TABLE tags(item INTEGER, tag TEXT);", "BEGIN;"]
            statements += [f"INSERT INTO items(name, weight) VALUES('item{i}', {i * 0.5});"
                           for i in range(5000)]
            statements += [f"INSERT INTO tags VALUES({i}, 'tag{i % 37}');" for i in range(1, 5000, 3)]
            statements += ["COMMIT;", "CREATE INDEX by_name ON items(name);",
                           "SELECT count(*), sum(weight) FROM items WHERE name LIKE 'item1%';",
                           "SELECT tag, count(*), avg(weight) FROM items JOIN tags ON tags.item = items.id "
                           "GROUP BY tag ORDER BY 2 DESC, 1 LIMIT 5;",
                           "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000) "
                           "SELECT sum(length(printf('%08d', x))) FROM n;",
                           "UPDATE items SET weight = weight * 2 WHERE id % 5 = 0;",
                           "DELETE FROM items WHERE id % 7 = 0;", "VACUUM;",
                           "SELECT name FROM items ORDER BY weight DESC LIMIT 3;"]
            database = os.path.join(directory, "test.db")

            def fresh_database():
                if os.path.exists(database):
                    os.remove(database)

            ok = run([sqlite, database], library, input_text="\n".join(statements), prepare=fresh_database)
            return 0 if ok else 1
        if program == "git":
            git = shutil.which("git")
            if git is None:
                print("git is not installed")
                return 1
            repository = os.path.join(directory, "repository")
            environment = make_git_repository(git, repository, 300)
            ok = run([git, "log", "-p", "-n", "300"], library, cwd=repository, environment=environment)
            ok = run([git, "status"], library, cwd=repository, environment=environment) and ok
            # Every frame left to osp-leakview's offline symbolizer (stripped git: no names).
            ok = run([git, "log", "-p", "-n", "100"], library, cwd=repository, environment=environment,
                     options=":symbolize=0") and ok
            ok = run([git, "log", "--oneline", "--stat"], library, cwd=repository, environment=environment) and ok
            # gc rewrites the repository: the plain run packs first, the preloaded one repacks.
            ok = run([git, "gc", "--quiet", "--aggressive"], library, cwd=repository, environment=environment) and ok
            ok = run([git, "fsck", "--no-progress"], library, cwd=repository, environment=environment) and ok
            return 0 if ok else 1
        if program == "cmake":
            cmake = shutil.which("cmake") or "cmake"
            source = os.path.join(directory, "project")
            os.makedirs(source)
            with open(os.path.join(source, "CMakeLists.txt"), "w") as handle:
                handle.write("cmake_minimum_required(VERSION 3.16)\nproject(small C)\n"
                             "include(CheckIncludeFile)\ncheck_include_file(stdlib.h HAVE_STDLIB_H)\n"
                             "add_executable(small main.c)\n")
            with open(os.path.join(source, "main.c"), "w") as handle:
                handle.write("int main(void) { return 0; }\n")
            build = os.path.join(directory, "build")

            def configure_result(plain, checked):
                def normalized(output):
                    return re.sub(r" \(\d+\.\d+s\)", "", output)
                return None if normalized(plain.stdout) == normalized(checked.stdout) else \
                    "configure output differs from a run without libospdebug"

            ok = run([cmake, "-S", source, "-B", build], library, compare=configure_result,
                     prepare=lambda: shutil.rmtree(build, ignore_errors=True))
            return 0 if ok else 1
    print(f"unknown program {program}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
