# The trace layer: stack capture, stack depot and symbolizer.
# Sets OSP_TRACE_SOURCES and OSP_TRACE_LINK_LIBRARIES (libunwind, libbacktrace or
# Boost's compiled backend, dl). Include it from the directory that creates the target:
# the symbolizer's compile settings are source-file properties, which are per directory.
set(OSP_TRACE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(OSP_TRACE_SOURCES
    ${OSP_TRACE_DIR}/thread_stack_bounds.cpp
    ${OSP_TRACE_DIR}/stack_capture.cpp
    ${OSP_TRACE_DIR}/signal_context_stack.cpp
    ${OSP_TRACE_DIR}/stack_depot.cpp
    ${OSP_TRACE_DIR}/permanent_strings.cpp
    ${OSP_TRACE_DIR}/module_lookup.cpp
    ${OSP_TRACE_DIR}/symbolizer.cpp)

# libunwind: pkg-config first (it knows the include dir), find_library otherwise.
find_package(PkgConfig QUIET)
if(PKG_CONFIG_FOUND AND NOT OSP_LIBUNWIND_LIBRARY)
  pkg_check_modules(OSP_PC_LIBUNWIND QUIET libunwind)
endif()
find_path(OSP_LIBUNWIND_INCLUDE_DIR libunwind.h HINTS ${OSP_PC_LIBUNWIND_INCLUDE_DIRS})
find_library(OSP_LIBUNWIND_LIBRARY NAMES unwind HINTS ${OSP_PC_LIBUNWIND_LIBRARY_DIRS})
if(NOT OSP_LIBUNWIND_INCLUDE_DIR OR NOT OSP_LIBUNWIND_LIBRARY)
  message(FATAL_ERROR "osp trace: libunwind not found (Debian: apt install libunwind-dev)")
endif()

# Boost.Stacktrace's libbacktrace backend. Header-only mode needs libbacktrace, which on
# GCC systems ships inside the compiler's own library directory: ask the compiler where.
find_path(OSP_BOOST_STACKTRACE_INCLUDE_DIR boost/stacktrace/frame.hpp)
if(NOT OSP_BOOST_STACKTRACE_INCLUDE_DIR)
  message(FATAL_ERROR "osp trace: Boost.Stacktrace not found (Debian: libboost-stacktrace-dev)")
endif()
if(NOT DEFINED OSP_COMPILER_BACKTRACE_ARCHIVE)
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libbacktrace.a
                  OUTPUT_VARIABLE OSP_COMPILER_BACKTRACE_ARCHIVE
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  set(OSP_COMPILER_BACKTRACE_ARCHIVE "${OSP_COMPILER_BACKTRACE_ARCHIVE}" CACHE INTERNAL "")
endif()
set(osp_backtrace_hints "")
if(IS_ABSOLUTE "${OSP_COMPILER_BACKTRACE_ARCHIVE}")
  get_filename_component(osp_backtrace_hints "${OSP_COMPILER_BACKTRACE_ARCHIVE}" DIRECTORY)
endif()
find_library(OSP_BACKTRACE_LIBRARY NAMES backtrace HINTS ${osp_backtrace_hints})
find_path(OSP_BACKTRACE_INCLUDE_DIR backtrace.h HINTS ${osp_backtrace_hints}/include)
find_library(OSP_BOOST_STACKTRACE_BACKTRACE_LIBRARY
             NAMES boost_stacktrace_backtrace boost_stacktrace_backtrace-mt)

set(osp_symbolizer_definitions "")
# Only a non-default Boost location is added: an explicit -I/-isystem of /usr/include
# breaks the C++ library's #include_next.
set(osp_symbolizer_includes "")
if(NOT OSP_BOOST_STACKTRACE_INCLUDE_DIR IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
  set(osp_symbolizer_includes ${OSP_BOOST_STACKTRACE_INCLUDE_DIR})
endif()
set(osp_symbolizer_options -fexceptions)
if(OSP_BACKTRACE_LIBRARY AND OSP_BACKTRACE_INCLUDE_DIR)
  # Header-only Boost.Stacktrace over a static libbacktrace: no Boost library at run time.
  # backtrace.h sits in GCC's private include dir, next to GCC's own intrinsics headers:
  # -idirafter makes it the last place searched so no other compiler picks those up.
  list(APPEND osp_symbolizer_definitions BOOST_STACKTRACE_USE_BACKTRACE)
  list(APPEND osp_symbolizer_options -idirafter ${OSP_BACKTRACE_INCLUDE_DIR})
  # Keep libbacktrace's symbols out of a shared runtime's exports, so a preloaded
  # runtime never interposes on a program's own copy of libbacktrace.
  get_filename_component(osp_backtrace_archive ${OSP_BACKTRACE_LIBRARY} NAME)
  set(osp_symbolizer_library ${OSP_BACKTRACE_LIBRARY})
  if(osp_backtrace_archive MATCHES "\\.a$" AND NOT APPLE)
    list(APPEND osp_symbolizer_library "-Wl,--exclude-libs,${osp_backtrace_archive}")
  endif()
elseif(OSP_BOOST_STACKTRACE_BACKTRACE_LIBRARY)
  # Boost's compiled backend carries its own copy of libbacktrace.
  list(APPEND osp_symbolizer_definitions BOOST_STACKTRACE_LINK BOOST_STACKTRACE_USE_BACKTRACE)
  set(osp_symbolizer_library ${OSP_BOOST_STACKTRACE_BACKTRACE_LIBRARY})
else()
  message(FATAL_ERROR "osp trace: neither libbacktrace (from GCC) nor "
                      "libboost_stacktrace_backtrace was found")
endif()

# The symbolizer catches Boost's exceptions even in a library built with -fno-exceptions;
# the capture must keep frame pointers so its own frame record is where the walk starts.
set_source_files_properties(${OSP_TRACE_DIR}/symbolizer.cpp PROPERTIES
  COMPILE_DEFINITIONS "${osp_symbolizer_definitions}"
  INCLUDE_DIRECTORIES "${osp_symbolizer_includes}"
  COMPILE_OPTIONS "${osp_symbolizer_options}")
set(osp_capture_includes "")
if(NOT OSP_LIBUNWIND_INCLUDE_DIR IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
  set(osp_capture_includes ${OSP_LIBUNWIND_INCLUDE_DIR})
endif()
set_source_files_properties(${OSP_TRACE_DIR}/stack_capture.cpp PROPERTIES
  INCLUDE_DIRECTORIES "${osp_capture_includes}"
  COMPILE_OPTIONS "-fno-omit-frame-pointer")

set(OSP_TRACE_LINK_LIBRARIES ${OSP_LIBUNWIND_LIBRARY} ${osp_symbolizer_library}
    ${CMAKE_DL_LIBS})
