// Fork safety: prepare_fork takes every pool lock so no lock is held mid-update when the
// address space is copied; the after_fork functions release them in parent and child.
// libosp registers them with os::register_fork_handlers; libospdebug calls them from its
// own handlers so its locks are always taken before the pool's.
#pragma once

namespace osp::pool {

void prepare_fork() noexcept;
void after_fork_in_parent() noexcept;
void after_fork_in_child() noexcept;

}  // namespace osp::pool
