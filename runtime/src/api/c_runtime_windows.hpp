// The C runtime DLL's own functions, for what osp replaces or needs from it on Windows.
//
// Its heap. With no LD_PRELOAD, libospdebug replaces malloc
// only for the code linked against it; the C runtime DLL (msvcrt.dll or ucrtbase.dll)
// keeps allocating from its own heap for itself and for the functions that return memory
// the program must free (strdup, _fullpath, getcwd(NULL) ...). Those blocks reach osp's
// free: they are recognised here (HeapValidate on the heap the C runtime reports with
// _get_heap_handle) and handed back to the C runtime's own free, never reported.
#pragma once

#include <cstddef>

namespace osp::api {

// True when `block` is the start of a live block of the C runtime's heap.
bool crt_heap_owns(const void* block) noexcept;

// The C runtime's own functions (through its DLL's exports, not the names osp replaced).
void crt_free(void* block) noexcept;
void* crt_realloc(void* block, std::size_t bytes) noexcept;
std::size_t crt_msize(void* block) noexcept;
void crt_aligned_free(void* block) noexcept;

// Registers `handler` in the C runtime DLL's own exit table (its _onexit), which exit()
// runs before ExitProcess ends the other threads: an executable's atexit uses the same
// table, a DLL's atexit (mingw-w64) a table of its own that runs only at DLL detach, after
// the other threads are gone. False when the C runtime has no _onexit.
bool crt_onexit(int (*handler)()) noexcept;

}  // namespace osp::api
