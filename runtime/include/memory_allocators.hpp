// Alignment constants and the tier vocabulary shared by every public osp header.
// The constants are visible unqualified, as code written against the seed API expects.
#pragma once

#include <cstddef>

// Marks what the shared libraries export; everything else in the pool is hidden, so the
// allocator's own calls and globals bind directly instead of through the GOT/PLT.
#if defined(_WIN32)
#define OSP_EXPORT
#else
#define OSP_EXPORT __attribute__((visibility("default")))
#endif

inline constexpr std::size_t MIN_ALLOWED_ALIGNMENT = 2;
inline constexpr std::size_t MAX_ALLOWED_ALIGNMENT = 64 * 1024;
inline constexpr std::size_t DEFAULT_ALIGNMENT = alignof(std::max_align_t);

namespace os_memory {

// The pool's tiers, by request size (DESIGN §2). `Direct` covers alignments above
// MAX_ALLOWED_ALIGNMENT, which go straight to the operating system.
enum class Tier : int { Small = 0, Medium = 1, Large = 2, Huge = 3, Direct = 4 };
inline constexpr int kTierCount = 5;

inline constexpr std::size_t kSmallMaxBytes = std::size_t{1} << 20;
inline constexpr std::size_t kMediumMaxBytes = std::size_t{512} << 20;
inline constexpr std::size_t kLargeMaxBytes = std::size_t{1} << 30;

OSP_EXPORT const char* tier_name(Tier tier) noexcept;

// True when `alignment` is a power of two in [MIN_ALLOWED_ALIGNMENT, MAX_ALLOWED_ALIGNMENT].
constexpr bool is_pool_alignment(std::size_t alignment) noexcept {
  return alignment >= MIN_ALLOWED_ALIGNMENT && alignment <= MAX_ALLOWED_ALIGNMENT &&
         (alignment & (alignment - 1)) == 0;
}

}  // namespace os_memory
