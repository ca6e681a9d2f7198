# Compiled into both libraries.
set(OSP_API_COMMON_SOURCES
    ${OSP_SRC}/api/global_allocator_api.cpp
    ${OSP_SRC}/api/c_api.cpp
    ${OSP_SRC}/api/tracked_block_report.cpp)
# libosp only: tracking table and the plain-text leak reporter.
set(OSP_API_POOL_SOURCES
    ${OSP_SRC}/api/pool_backend.cpp
    ${OSP_SRC}/api/tracking_table.cpp
    ${OSP_SRC}/api/plain_leak_reporter.cpp)
