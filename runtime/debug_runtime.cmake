# libospdebug: the pool plus the debug layer (guarded blocks, quarantine, error reports),
# the malloc/new replacement and the leak reporter. Included from runtime/CMakeLists.txt
# when OSP_BUILD_DEBUG_RUNTIME is ON; OSP_SRC, osp_core, OSP_API_COMMON_SOURCES and
# osp_add_library() come from there.
include(${OSP_SRC}/trace/sources.cmake)
include(${OSP_SRC}/debug/sources.cmake)
# The report layer (reachability scan, snapshots) lists its sources there once it exists.
set(OSP_REPORT_SOURCES "")
if(EXISTS ${OSP_SRC}/report/sources.cmake)
  include(${OSP_SRC}/report/sources.cmake)
endif()

set(OSP_DEBUG_RUNTIME_SOURCES
    $<TARGET_OBJECTS:osp_core>
    ${OSP_API_COMMON_SOURCES}
    ${OSP_TRACE_SOURCES}
    ${OSP_DEBUG_SOURCES}
    ${OSP_REPORT_SOURCES}
    ${OSP_SRC}/api/debug_backend.cpp
    ${OSP_SRC}/api/malloc_override.cpp
    ${OSP_SRC}/api/load_mode.cpp
    ${OSP_SRC}/api/new_delete_override.cpp
    ${OSP_SRC}/api/process_start.cpp
    ${OSP_SRC}/report/scratch_arena.cpp ${OSP_SRC}/report/memory_map.cpp ${OSP_SRC}/report/memory_map_lookup.cpp ${OSP_SRC}/report/module_table.cpp ${OSP_SRC}/report/thread_stopper.cpp ${OSP_SRC}/report/root_set.cpp ${OSP_SRC}/report/block_index.cpp ${OSP_SRC}/report/reachability.cpp ${OSP_SRC}/report/leak_scan.cpp ${OSP_SRC}/report/site_frames.cpp ${OSP_SRC}/report/site_table.cpp ${OSP_SRC}/report/process_info.cpp ${OSP_SRC}/report/exit_status.cpp ${OSP_SRC}/report/command_line.cpp ${OSP_SRC}/report/snapshot_json.cpp ${OSP_SRC}/report/snapshot_file.cpp ${OSP_SRC}/report/text_report.cpp ${OSP_SRC}/report/leak_report.cpp ${OSP_SRC}/report/leak_reporter.cpp ${OSP_SRC}/report/snapshot_signal.cpp ${OSP_SRC}/report/leak_checkpoint.cpp)

# Windows swaps the files that talk to ELF, signals and /proc for their PE/Win32 twins.
if(WIN32)
  include(${CMAKE_CURRENT_LIST_DIR}/debug_runtime_windows.cmake)
endif()

foreach(kind SHARED STATIC)
  if(kind STREQUAL SHARED)
    set(target ospdebug)
  else()
    set(target ospdebug_static)
  endif()
  osp_add_library(${target} ${kind} ${OSP_DEBUG_RUNTIME_SOURCES})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ospdebug VERSION ${PROJECT_VERSION}
                                             SOVERSION ${PROJECT_VERSION_MAJOR})
  # Frame pointers make the fast stack walk work through the runtime's own frames;
  # initial-exec TLS keeps thread-local access free of __tls_get_addr (which may call
  # malloc) inside malloc itself.
  # The runtime's own calls bind inside the library (no PLT, and inlining across its
  # functions): nobody interposes the internals of an allocator, and malloc/new stay
  # exported for the process to use.
  target_compile_options(${target} PRIVATE -fno-omit-frame-pointer -ftls-model=initial-exec
                                           -fno-semantic-interposition)
  if(kind STREQUAL SHARED AND NOT WIN32)
    target_link_options(${target} PRIVATE -Wl,-Bsymbolic-functions
                        -Wl,--version-script=${CMAKE_CURRENT_LIST_DIR}/ospdebug.map)
    set_target_properties(${target} PROPERTIES LINK_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/ospdebug.map)
  endif()
  target_link_libraries(${target} PUBLIC ${OSP_TRACE_LINK_LIBRARIES} ${CMAKE_DL_LIBS})
endforeach()
add_library(osp::ospdebug ALIAS ospdebug)
add_library(osp::ospdebug_static ALIAS ospdebug_static)
