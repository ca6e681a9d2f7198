set(OSP_POOL_SOURCES
    ${OSP_SRC}/pool/small_manager.cpp
    ${OSP_SRC}/pool/buddy_allocator.cpp
    ${OSP_SRC}/pool/medium_cache.cpp
    ${OSP_SRC}/pool/os_block_registry.cpp
    ${OSP_SRC}/pool/pool_counters.cpp
    ${OSP_SRC}/pool/memory_pool.cpp)
