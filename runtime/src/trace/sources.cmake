# The trace layer: stack capture (code ranges, eh_frame rules and their cache), stack
# depot and symbolizer.
# Sets OSP_TRACE_SOURCES and OSP_TRACE_LINK_LIBRARIES (libunwind, libbacktrace, dl).
# Include it from the directory that creates the target:
# the symbolizer's compile settings are source-file properties, which are per directory.
set(OSP_TRACE_DIR ${CMAKE_CURRENT_LIST_DIR})
if(WIN32)
  # Windows: RtlCaptureStackBackTrace unwinds with the x64 unwind data (.pdata) every PE
  # has; modules are PE images. GCC for mingw-w64 ships no libbacktrace, so frames are
  # module+offset, resolved offline.
  set(OSP_TRACE_SOURCES
      ${OSP_TRACE_DIR}/stack_capture_windows.cpp
      ${OSP_TRACE_DIR}/thread_stack_bounds_windows.cpp
      ${OSP_TRACE_DIR}/code_ranges_windows.cpp
      ${OSP_TRACE_DIR}/stack_depot.cpp
      ${OSP_TRACE_DIR}/permanent_strings.cpp
      ${OSP_TRACE_DIR}/pe_image.cpp
      ${OSP_TRACE_DIR}/module_lookup_windows.cpp
      ${OSP_TRACE_DIR}/symbolizer_windows.cpp
      ${OSP_TRACE_DIR}/stack_printer.cpp)
  set(OSP_TRACE_LINK_LIBRARIES "")
  return()
endif()
set(OSP_TRACE_SOURCES
    ${OSP_TRACE_DIR}/thread_stack_bounds.cpp
    ${OSP_TRACE_DIR}/code_ranges.cpp
    ${OSP_TRACE_DIR}/frame_rules.cpp
    ${OSP_TRACE_DIR}/frame_rule_cache.cpp
    ${OSP_TRACE_DIR}/stack_capture.cpp
    ${OSP_TRACE_DIR}/signal_context_stack.cpp
    ${OSP_TRACE_DIR}/stack_depot.cpp
    ${OSP_TRACE_DIR}/permanent_strings.cpp
    ${OSP_TRACE_DIR}/module_lookup.cpp
    ${OSP_TRACE_DIR}/elf_file.cpp
    ${OSP_TRACE_DIR}/debug_file_lookup.cpp
    ${OSP_TRACE_DIR}/function_symbols.cpp
    ${OSP_TRACE_DIR}/symbolizer.cpp
    ${OSP_TRACE_DIR}/stack_printer.cpp)

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

# libbacktrace reads the debug information (DWARF, separate debug files). It ships inside
# GCC's own library directory, with backtrace.h: ask the compiler where.
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
if(NOT OSP_BACKTRACE_LIBRARY OR NOT OSP_BACKTRACE_INCLUDE_DIR)
  message(FATAL_ERROR "osp trace: libbacktrace not found (it comes with GCC: apt install build-essential)")
endif()
# backtrace.h sits in GCC's private include dir, next to GCC's own intrinsics headers:
# -idirafter makes it the last place searched so no other compiler picks those up.
set(osp_symbolizer_options -idirafter ${OSP_BACKTRACE_INCLUDE_DIR})
# Keep libbacktrace's symbols out of a shared runtime's exports, so a preloaded runtime
# never interposes on a program's own copy of libbacktrace.
get_filename_component(osp_backtrace_archive ${OSP_BACKTRACE_LIBRARY} NAME)
set(osp_symbolizer_library ${OSP_BACKTRACE_LIBRARY})
if(osp_backtrace_archive MATCHES "\\.a$" AND NOT APPLE)
  list(APPEND osp_symbolizer_library "-Wl,--exclude-libs,${osp_backtrace_archive}")
endif()
set_source_files_properties(${OSP_TRACE_DIR}/symbolizer.cpp PROPERTIES
  COMPILE_OPTIONS "${osp_symbolizer_options}")
# The capture must keep frame pointers so its own frame record is where the walk starts.
set(osp_capture_includes "")
if(NOT OSP_LIBUNWIND_INCLUDE_DIR IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
  set(osp_capture_includes ${OSP_LIBUNWIND_INCLUDE_DIR})
endif()
set_source_files_properties(${OSP_TRACE_DIR}/stack_capture.cpp PROPERTIES
  INCLUDE_DIRECTORIES "${osp_capture_includes}"
  COMPILE_OPTIONS "-fno-omit-frame-pointer")

set(OSP_TRACE_LINK_LIBRARIES ${OSP_LIBUNWIND_LIBRARY} ${osp_symbolizer_library}
    ${CMAKE_DL_LIBS})
