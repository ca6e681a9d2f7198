# The debug layer of libospdebug (DESIGN §4): guarded blocks, quarantine, live-block list,
# options and error reports.
set(OSP_DEBUG_SOURCES
    ${OSP_SRC}/debug/options.cpp
    ${OSP_SRC}/debug/runtime_thread.cpp
    ${OSP_SRC}/debug/block_guards.cpp
    ${OSP_SRC}/debug/live_blocks.cpp
    ${OSP_SRC}/debug/quarantine.cpp
    ${OSP_SRC}/debug/error_log.cpp
    ${OSP_SRC}/debug/stack_memo.cpp
    ${OSP_SRC}/debug/stack_origin.cpp
    ${OSP_SRC}/debug/error_reports.cpp
    ${OSP_SRC}/debug/pointer_validation.cpp
    ${OSP_SRC}/debug/suppressions.cpp
    ${OSP_SRC}/debug/debug_heap.cpp)
