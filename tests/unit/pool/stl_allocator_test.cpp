#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "stl_allocator.hpp"

namespace {

using os_memory::allocator::STL_Allocator;
using OspString = std::basic_string<char, std::char_traits<char>, STL_Allocator<char>>;

TEST(StlAllocator, WorksWithEveryKindOfContainer) {
  std::vector<int, STL_Allocator<int>> numbers;
  for (int i = 0; i < 100000; ++i) numbers.push_back(i);
  EXPECT_EQ(numbers[99999], 99999);

  std::map<int, OspString, std::less<>, STL_Allocator<std::pair<const int, OspString>>> names;
  for (int i = 0; i < 1000; ++i) names[i] = OspString(100, static_cast<char>('a' + i % 26));
  EXPECT_EQ(names.at(27)[99], 'b');

  std::unordered_map<int, int, std::hash<int>, std::equal_to<>, STL_Allocator<std::pair<const int, int>>> table;
  for (int i = 0; i < 10000; ++i) table[i] = i * 2;
  EXPECT_EQ(table.at(5000), 10000);

  std::list<double, STL_Allocator<double>> values(1000, 1.5);
  std::deque<char, STL_Allocator<char>> characters(5000, 'x');
  std::set<long, std::less<>, STL_Allocator<long>> ordered{5, 3, 9};
  EXPECT_EQ(values.size(), 1000u);
  EXPECT_EQ(characters.back(), 'x');
  EXPECT_EQ(*ordered.begin(), 3);
}

TEST(StlAllocator, RebindAndEqualityKeepSettings) {
  STL_Allocator<int> ints;
  ints.set_alignment(256);
  ints.set_nothrow(true);
  STL_Allocator<double> doubles(ints);
  EXPECT_EQ(doubles.alignment(), 256u);
  EXPECT_TRUE(doubles.nothrow());
  EXPECT_TRUE(ints == doubles);
  using Rebound = std::allocator_traits<STL_Allocator<int>>::rebind_alloc<char>;
  static_assert(std::is_same_v<Rebound, STL_Allocator<char>>);
}

TEST(StlAllocator, SetAlignmentHonoursValidValuesAndFallsBackOnInvalidOnes) {
  STL_Allocator<char> allocator;
  allocator.set_alignment(4096);
  char* block = allocator.allocate(10);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % 4096, 0u);
  allocator.deallocate(block, 10);
  allocator.set_alignment(3);
  EXPECT_EQ(allocator.alignment(), DEFAULT_ALIGNMENT);
  allocator.set_alignment(std::size_t{1} << 20);  // above MAX_ALLOWED_ALIGNMENT
  EXPECT_EQ(allocator.alignment(), DEFAULT_ALIGNMENT);
}

TEST(StlAllocator, NothrowReturnsNullInsteadOfThrowing) {
  STL_Allocator<std::uint64_t> allocator;
  const std::size_t impossible = (std::size_t{1} << 46) / sizeof(std::uint64_t);
  EXPECT_THROW((void)allocator.allocate(impossible), std::bad_alloc);
  allocator.set_nothrow(true);
  EXPECT_EQ(allocator.allocate(impossible), nullptr);
  EXPECT_EQ(allocator.allocate(allocator.max_size() + 1), nullptr);
}

}  // namespace
