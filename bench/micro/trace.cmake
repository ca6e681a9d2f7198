# osp_trace_benchmark: stack capture at depth 8/16/32 with each method, and StackDepot
# intern of a hot stack and of new stacks. Included from bench/CMakeLists.txt.
find_package(benchmark REQUIRED)
find_package(Threads REQUIRED)
get_filename_component(osp_trace_bench_src_root ${CMAKE_CURRENT_LIST_DIR}/../../runtime/src
                       ABSOLUTE)
if(NOT DEFINED OSP_OS_SOURCES)
  set(OSP_SRC ${osp_trace_bench_src_root})
  include(${osp_trace_bench_src_root}/os/sources.cmake)
endif()
include(${osp_trace_bench_src_root}/trace/sources.cmake)

add_executable(osp_trace_benchmark ${CMAKE_CURRENT_LIST_DIR}/trace_benchmark.cpp
                                   ${OSP_TRACE_SOURCES} ${OSP_OS_SOURCES})
target_include_directories(osp_trace_benchmark PRIVATE ${osp_trace_bench_src_root})
target_compile_options(osp_trace_benchmark PRIVATE -fno-omit-frame-pointer)
target_link_libraries(osp_trace_benchmark PRIVATE benchmark::benchmark
                      ${OSP_TRACE_LINK_LIBRARIES} Threads::Threads)
