# libospdebug for Windows (mingw-w64): the sources that use ELF, signals, /proc, dlfcn or
# LD_PRELOAD are replaced by their Windows counterparts, one file for one file, behind the
# same headers. Included from debug_runtime.cmake with OSP_DEBUG_RUNTIME_SOURCES set.
#
# Configured out, and why:
# - guarded slots' fault handler (SIGSEGV/SIGBUS, ucontext): Windows would need a vectored
#   exception handler; guard_pages stays off and says so.
# - the snapshot signal: Windows has no signals to ask a running process for a snapshot
#   (the API osp_write_snapshot() does it).
# - LD_PRELOAD: Windows has no preloading; programs link ospdebug (import library or
#   archive) ahead of the C runtime, see docs/debug-runtime.md.
set(osp_linux_only
    debug/fault_reports.cpp
    guarded/fault_handler.cpp
    guarded/fault_context_x86_64.cpp
    debug/options_environment.cpp
    debug/static_object.cpp
    debug/report_files.cpp
    report/memory_map.cpp
    report/module_table.cpp
    report/thread_stopper.cpp
    report/snapshot_signal.cpp
    api/malloc_override.cpp
    api/load_mode.cpp
    api/process_start.cpp
    report/exit_status.cpp
    report/command_line.cpp
    debug/threads_at_start.cpp)
foreach(file ${osp_linux_only})
  list(REMOVE_ITEM OSP_DEBUG_RUNTIME_SOURCES ${OSP_SRC}/${file})
  list(REMOVE_ITEM OSP_DEBUG_SOURCES ${OSP_SRC}/${file})
endforeach()
list(APPEND OSP_DEBUG_RUNTIME_SOURCES
     ${OSP_SRC}/debug/fault_reports_windows.cpp
     ${OSP_SRC}/guarded/fault_handler_windows.cpp
     ${OSP_SRC}/debug/options_environment_windows.cpp
     ${OSP_SRC}/debug/static_object_windows.cpp
     ${OSP_SRC}/debug/report_files_windows.cpp
     ${OSP_SRC}/report/memory_map_windows.cpp
     ${OSP_SRC}/report/module_table_windows.cpp
     ${OSP_SRC}/report/thread_stopper_windows.cpp
     ${OSP_SRC}/api/malloc_override_windows.cpp
     ${OSP_SRC}/api/c_runtime_windows.cpp
     ${OSP_SRC}/api/load_mode_windows.cpp
     ${OSP_SRC}/report/exit_status_windows.cpp
     ${OSP_SRC}/report/command_line_windows.cpp
     ${OSP_SRC}/debug/threads_at_start_windows.cpp)

# nlohmann/json (header-only, for the snapshot document) from the build machine.
include(${PROJECT_SOURCE_DIR}/cmake/OspHostHeaders.cmake)
osp_host_header_target(nlohmann_json::nlohmann_json nlohmann)
set_source_files_properties(${OSP_SRC}/report/snapshot_json.cpp PROPERTIES
                            INCLUDE_DIRECTORIES $<TARGET_PROPERTY:nlohmann_json::nlohmann_json,INTERFACE_INCLUDE_DIRECTORIES>)
