// Classification of live blocks by a conservative scan (the LeakSanitizer algorithm, with
// valgrind's "possibly lost"), in named phases:
//   1. mark_from_roots:    every aligned word of the roots and, transitively, of reachable
//                          blocks that equals a block's start makes that block Reachable;
//                          words pointing into a block's middle queue it as a candidate.
//   2. mark_possible:      candidates not reached by a start pointer become Possible, and
//                          so does whatever they reach.
//   3. mark_indirect:      for each block still unreached and not yet Indirect, flood from
//                          its contents marking every unreached block it reaches Indirect
//                          (not itself): a leaked cycle keeps one Definite member.
//   4. the rest is Definite.
// Pointers are 8-byte aligned words (like LeakSanitizer's default); blocks allocated by
// the dynamic linker (its TLS and link-map tables live in memory that is not a root) count
// as reachable from the start.
#pragma once

#include "report/block_index.hpp"
#include "report/memory_map.hpp"
#include "report/module_table.hpp"
#include "report/root_set.hpp"
#include "report/scratch_arena.hpp"

namespace osp::report {

// False when scratch memory ran out (the blocks are then all marked Reachable).
bool classify_blocks(BlockIndex& blocks, const RootSet& roots, const MemoryMap& map,
                     const ModuleTable& modules, ScratchArena& arena) noexcept;

}  // namespace osp::report
