#!/usr/bin/env python3
"""Runs real programs under LD_PRELOAD=libospdebug.so and checks they behave exactly as
without it: same output, exit status 0, no osp report.

  real_programs.py LIBRARY python|sqlite|git|cmake
"""
import os
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


def run(command, library, cwd=None, input_text=None):
    environment = dict(os.environ)
    environment.pop("OSP_OPTIONS", None)
    plain = subprocess.run(command, cwd=cwd, input=input_text, capture_output=True, text=True,
                           env=environment, timeout=300)
    environment["LD_PRELOAD"] = library
    checked = subprocess.run(command, cwd=cwd, input=input_text, capture_output=True,
                             text=True, env=environment, timeout=600)
    problems = []
    if checked.returncode != 0:
        problems.append(f"exit status {checked.returncode}")
    if "osp:" in checked.stderr:
        problems.append("osp wrote to stderr")
    if checked.stdout != plain.stdout:
        problems.append("output differs from a run without libospdebug")
    if problems:
        print(f"FAILED: {' '.join(command)}: {', '.join(problems)}")
        print("---- stdout ----\n" + checked.stdout[-3000:])
        print("---- stderr ----\n" + checked.stderr[-6000:])
        return False
    print(f"ok: {' '.join(command)}")
    return True


def main():
    library, program = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as directory:
        if program == "python":
            return 0 if run([sys.executable, "-c", PYTHON_SCRIPT], library) else 1
        if program == "sqlite":
            sqlite = shutil.which("sqlite3")
            if sqlite is None:
                print("sqlite3 is not installed (scripts/install-deps.sh core)")
                return 1
            statements = ["DROP INDEX IF EXISTS by_name;", "DROP TABLE IF EXISTS items;",
                          "CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, weight REAL);",
                          "BEGIN;"]
            statements += [f"INSERT INTO items(name, weight) VALUES('item{i}', {i * 0.5});"
                           for i in range(5000)]
            statements += ["COMMIT;", "CREATE INDEX by_name ON items(name);",
                           "SELECT count(*), sum(weight) FROM items WHERE name LIKE 'item1%';",
                           "SELECT name FROM items ORDER BY weight DESC LIMIT 3;"]
            database = os.path.join(directory, "test.db")
            return 0 if run([sqlite, database], library, input_text="\n".join(statements)) else 1
        if program == "git":
            git = shutil.which("git")
            if git is None:
                print("git is not installed")
                return 1
            ok = run([git, "--version"], library)
            setup = dict(os.environ, GIT_AUTHOR_NAME="osp", GIT_AUTHOR_EMAIL="osp@example.org",
                         GIT_COMMITTER_NAME="osp", GIT_COMMITTER_EMAIL="osp@example.org")
            subprocess.run([git, "init", "-q", directory], check=True, env=setup)
            for index in range(20):
                with open(os.path.join(directory, f"file{index}.txt"), "w") as handle:
                    handle.write(f"line {index}\n" * (index + 1))
            subprocess.run([git, "add", "."], cwd=directory, check=True, env=setup)
            subprocess.run([git, "commit", "-q", "-m", "files"], cwd=directory, check=True, env=setup)
            with open(os.path.join(directory, "file3.txt"), "a") as handle:
                handle.write("changed\n")
            ok = run([git, "status"], library, cwd=directory) and ok
            ok = run([git, "log", "--oneline"], library, cwd=directory) and ok
            return 0 if ok else 1
        if program == "cmake":
            return 0 if run([shutil.which("cmake") or "cmake", "--version"], library) else 1
    print(f"unknown program {program}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
