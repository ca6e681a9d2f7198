# The debug layer of libospdebug (DESIGN §4): guarded blocks, quarantine, live-block list,
# options and error reports.
set(OSP_DEBUG_SOURCES
    ${OSP_SRC}/debug/options.cpp
    ${OSP_SRC}/debug/options_environment.cpp
    ${OSP_SRC}/debug/runtime_thread.cpp
    ${OSP_SRC}/debug/threads_at_start.cpp
    ${OSP_SRC}/debug/block_guards.cpp
    ${OSP_SRC}/debug/live_blocks.cpp
    ${OSP_SRC}/debug/quarantine.cpp
    ${OSP_SRC}/debug/error_log.cpp
    ${OSP_SRC}/debug/stack_memo.cpp
    ${OSP_SRC}/debug/stack_origin.cpp
    ${OSP_SRC}/debug/report_sections.cpp
    ${OSP_SRC}/debug/static_object.cpp
    ${OSP_SRC}/debug/error_reports.cpp
    ${OSP_SRC}/debug/fault_reports.cpp
    ${OSP_SRC}/debug/guarded_blocks.cpp
    ${OSP_SRC}/debug/report_files.cpp
    ${OSP_SRC}/debug/pointer_validation.cpp
    ${OSP_SRC}/debug/suppressions.cpp
    ${OSP_SRC}/debug/debug_heap.cpp)
# Guarded slots and the fault handler (DESIGN §1: beside the pool, used by the debug layer).
set(OSP_GUARDED_SOURCES
    ${OSP_SRC}/guarded/slot_space.cpp
    ${OSP_SRC}/guarded/fault_handler.cpp)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64|ARM64")
  list(APPEND OSP_GUARDED_SOURCES ${OSP_SRC}/guarded/fault_context_aarch64.cpp)
else()
  list(APPEND OSP_GUARDED_SOURCES ${OSP_SRC}/guarded/fault_context_x86_64.cpp)
endif()
list(APPEND OSP_DEBUG_SOURCES ${OSP_GUARDED_SOURCES})
