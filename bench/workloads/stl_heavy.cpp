// An STL-heavy program: builds and tears down maps of strings to vectors, unordered
// maps, lists and string concatenations, the allocation pattern of ordinary C++ code
// that never calls malloc itself.
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "workload_args.h"

namespace {

std::string make_key(random_state& random) {
  std::string key = "key-";
  const std::size_t length = 4 + random_below(&random, 40);
  for (std::size_t index = 0; index < length; ++index) {
    key.push_back(static_cast<char>('a' + random_below(&random, 26)));
  }
  return key;
}

std::uint64_t one_round(random_state& random, std::size_t entries) {
  std::map<std::string, std::vector<int>> index;
  std::unordered_map<std::uint64_t, std::string> names;
  std::list<std::vector<char>> history;
  std::uint64_t checksum = 0;
  for (std::size_t entry = 0; entry < entries; ++entry) {
    std::string key = make_key(random);
    std::vector<int>& values = index[key];
    const std::size_t count = random_below(&random, 24);
    for (std::size_t value = 0; value < count; ++value) values.push_back(static_cast<int>(value));
    names.emplace(random_next(&random), key + "/" + std::to_string(entry));
    history.emplace_back(static_cast<std::size_t>(random_below(&random, 200)), 'x');
    if (history.size() > 64) history.pop_front();
  }
  for (const auto& [key, values] : index) checksum += key.size() + values.size();
  for (const auto& [id, name] : names) checksum += name.size();
  return checksum;
}

}  // namespace

int main(int argc, char** argv) {
  workload_args args = parse_workload_args(argc, argv);
  const std::uint64_t rounds = scaled_count(&args, 20, 1);
  const std::size_t entries_per_round = 20000;
  random_state random{0x5151ULL};
  std::uint64_t checksum = 0;
  for (std::uint64_t round = 0; round < rounds; ++round) {
    checksum += one_round(random, entries_per_round);
  }
  print_checksum("stl_heavy", checksum);
  return 0;
}
