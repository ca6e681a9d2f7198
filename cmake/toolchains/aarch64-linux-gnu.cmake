# Cross build for 64-bit ARM Linux with Debian's aarch64-linux-gnu toolchain; ctest runs
# the test programs through qemu-aarch64 (user mode) with the target's libraries from
# /usr/aarch64-linux-gnu. Used by the `arm64-cross` preset. The default -march (armv8-a)
# takes the LDAXP/STLXP path of os/cpu.hpp; add -march=armv8.1-a for CASP.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(OSP_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${OSP_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${OSP_CROSS_TRIPLE}-g++)

set(CMAKE_FIND_ROOT_PATH /usr/${OSP_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(OSP_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(OSP_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${OSP_QEMU_AARCH64} -L /usr/${OSP_CROSS_TRIPLE})
endif()
# List the tests when ctest runs (through the emulator), not as a build step.
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
