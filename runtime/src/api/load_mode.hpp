// How libospdebug came into the process: linked into the program (-lospdebug, or the
// static library) or preloaded into a program built without it (LD_PRELOAD). Some
// defaults differ (detect_leaks: on when linked, as LSan under ASan; off when preloaded,
// where every child process of a shell or a build inherits the preload).
#pragma once

namespace osp::api {

enum class LoadMode { Linked, Preloaded };

// Linked when libospdebug's code lies in the main executable (static link) or the main
// executable's dynamic section names libospdebug's soname in a DT_NEEDED entry. Reads
// only the loader's in-memory tables (no allocation); call after the loader is done,
// e.g. from a constructor.
LoadMode libospdebug_load_mode() noexcept;

}  // namespace osp::api
