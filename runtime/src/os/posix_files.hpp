// The POSIX file calls the runtime uses on raw descriptors (open, read, write, close,
// fsync, unlink, getpid) and glibc's strerrorname_np, from the one header each platform has them in. mingw-w64's C
// runtime has them as _open and friends in <io.h>; O_CLOEXEC there means "not inherited by
// child processes" and fsync is _commit. Nothing here allocates.
#pragma once

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <process.h>
#include <unistd.h>
#ifndef O_CLOEXEC
#define O_CLOEXEC _O_NOINHERIT
#endif
#include <string.h>
inline int fsync(int fd) noexcept { return _commit(fd); }
// glibc names an errno value ("ENOENT"); the C runtime has only its message.
inline const char* strerrorname_np(int error) noexcept { return strerror(error); }
#else
#include <fcntl.h>
#include <unistd.h>
#endif
