# Cross build for 64-bit ARM Linux with Debian's aarch64-linux-gnu toolchain; ctest runs
# the test programs through qemu-aarch64 (user mode). Used by the `arm64-cross` preset.
# The default -march (armv8-a) takes the LDAXP/STLXP path of os/cpu.hpp; add
# -march=armv8.1-a for CASP.
#
# The target's libraries come from Debian's arm64 packages installed through multiarch
# (scripts/install-deps.sh cross): libunwind in /usr/lib/aarch64-linux-gnu, and at run
# time the arm64 C library, dynamic linker, libstdc++ and libc6-dbg's debug files, which
# belong together. The cross compiler links against its own copy in
# /usr/aarch64-linux-gnu, the same glibc release.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(OSP_CROSS_TRIPLE aarch64-linux-gnu)
set(CMAKE_C_COMPILER ${OSP_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${OSP_CROSS_TRIPLE}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${OSP_CROSS_TRIPLE})

# "/" lets find_library and find_path reach the multiarch folders (lib/aarch64-linux-gnu,
# include/aarch64-linux-gnu) and the cross GCC's own libbacktrace; header-only packages
# (nlohmann_json, CLI11) are found in /usr/share.
set(CMAKE_FIND_ROOT_PATH /usr/${OSP_CROSS_TRIPLE} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config must describe the target's packages, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${OSP_CROSS_TRIPLE}/pkgconfig:/usr/share/pkgconfig)

find_program(OSP_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
if(OSP_QEMU_AARCH64)
  # Interpreter and libraries from the multiarch paths (/lib/ld-linux-aarch64.so.1 and
  # /usr/lib/aarch64-linux-gnu): "-L /" keeps qemu from looking in a prefix of its own.
  set(CMAKE_CROSSCOMPILING_EMULATOR ${OSP_QEMU_AARCH64} -L /)
endif()
# List the tests when ctest runs (through the emulator), not as a build step.
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
