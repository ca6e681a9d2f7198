"""Starts programs built for the test target. On the build machine itself they run as
they are; a cross build's tests run them through the emulator named by OSP_TEST_EMULATOR
(tests/CMakeLists.txt sets it from CMAKE_CROSSCOMPILING_EMULATOR for every ctest run),
for example "qemu-aarch64 -L /".

The emulator is a program of the build machine, so LD_PRELOAD must not reach it: the
library to preload is handed to the emulated program through the emulator's own option
(qemu's -E NAME=VALUE) instead.
"""
import os
import shlex
import subprocess

EMULATOR = shlex.split(os.environ.get("OSP_TEST_EMULATOR", ""))


def emulated():
    """True when target programs run through an emulator (a cross build's tests)."""
    return bool(EMULATOR)


def command_and_environment(command, env=None):
    """The command line and environment that run `command` (a target program and its
    arguments) with `env` (None: this process's environment)."""
    environment = dict(os.environ if env is None else env)
    if not EMULATOR:
        return list(command), environment
    prefix = list(EMULATOR)
    preload = environment.pop("LD_PRELOAD", None)
    if preload:
        prefix += ["-E", f"LD_PRELOAD={preload}"]
    return prefix + list(command), environment


def run(command, env=None, **options):
    """subprocess.run for a target program: same options, same result."""
    full_command, environment = command_and_environment(command, env)
    return subprocess.run(full_command, env=environment, **options)
