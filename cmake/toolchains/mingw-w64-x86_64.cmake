# Cross build for 64-bit Windows with Debian's mingw-w64 (posix thread model); ctest runs
# the test programs through wine64. Used by the `windows-cross` preset.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(OSP_CROSS_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${OSP_CROSS_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${OSP_CROSS_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${OSP_CROSS_TRIPLE}-windres)

set(CMAKE_FIND_ROOT_PATH /usr/${OSP_CROSS_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# libgcc, libstdc++ and winpthread linked in: every .exe and .dll runs without DLL hunting.
# A DLL exports all of its own symbols but none of those static runtime libraries', or a
# program linking both would see libgcc's unwinder twice.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static -Wl,--exclude-libs,ALL")

# Debian installs the wine64 loader outside PATH.
find_program(OSP_WINE64 NAMES wine64 wine PATHS /usr/lib/wine)
if(OSP_WINE64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${OSP_WINE64})
endif()
# List the tests when ctest runs (through the emulator), not as a build step.
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
