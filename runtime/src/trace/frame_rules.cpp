// Reads the DWARF call-frame information of one address (see frame_rules.hpp): the
// .eh_frame_hdr search table gives the FDE, the FDE names its CIE, and running the CIE's
// and the FDE's CFA programs up to the address gives the row that applies there. Every
// byte is read through TableReader, which refuses reads outside the module's unwind data
// segment; a table this code does not understand gives Unsupported, never a guess.
#include "trace/frame_rules.hpp"

#include <cstring>

namespace osp::trace {
namespace {

// DWARF register numbers on x86-64.
constexpr std::uint64_t kFramePointerRegister = 6;     // RBP
constexpr std::uint64_t kStackPointerRegister = 7;     // RSP
constexpr std::uint64_t kReturnAddressRegister = 16;   // the return address column
constexpr std::int64_t kReturnAddressOffset = -8;      // where CALL leaves it
constexpr int kRememberedRows = 8;
constexpr std::uint32_t kMaxCfaOffset = (1U << 24) - 1;
// .eh_frame_hdr's table encoding that allows a binary search: 4-byte signed offsets
// from the header (DW_EH_PE_datarel | DW_EH_PE_sdata4), what every linker writes.
constexpr std::uint8_t kSearchTableEncoding = 0x3b;
constexpr std::uint8_t kOmitEncoding = 0xff;

class TableReader {
 public:
  TableReader(std::uintptr_t position, const CodeRange& range) noexcept
      : position_(position), low_(range.unwind_data_start), high_(range.unwind_data_end) {}

  bool ok() const noexcept { return ok_; }
  std::uintptr_t position() const noexcept { return position_; }
  void seek(std::uintptr_t position) noexcept { position_ = position; }
  bool inside(std::uintptr_t position, std::uintptr_t bytes) const noexcept {
    return position >= low_ && position <= high_ && bytes <= high_ - position;
  }

  template <typename T>
  T read() noexcept {
    T value{};
    if (!ok_ || !inside(position_, sizeof(T))) {
      ok_ = false;
      return value;
    }
    std::memcpy(&value, reinterpret_cast<const void*>(position_), sizeof(T));
    position_ += sizeof(T);
    return value;
  }

  std::uint64_t unsigned_leb128() noexcept {
    std::uint64_t value = 0;
    for (unsigned shift = 0; ok_ && shift < 64; shift += 7) {
      const auto byte = read<std::uint8_t>();
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    ok_ = false;
    return 0;
  }

  std::int64_t signed_leb128() noexcept {
    std::uint64_t value = 0;
    for (unsigned shift = 0; ok_ && shift < 64;) {
      const auto byte = read<std::uint8_t>();
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      shift += 7;
      if ((byte & 0x80) == 0) {
        if (shift < 64 && (byte & 0x40) != 0) value |= ~0ULL << shift;
        return static_cast<std::int64_t>(value);
      }
    }
    ok_ = false;
    return 0;
  }

  // A DW_EH_PE-encoded pointer. `data_base` is what datarel is relative to (the
  // .eh_frame_hdr). Indirect pointers are read over, never followed: only the
  // personality routine uses them, and it is skipped.
  std::uintptr_t encoded(std::uint8_t encoding, std::uintptr_t data_base) noexcept {
    if (encoding == kOmitEncoding) return 0;
    const std::uintptr_t field = position_;
    std::uintptr_t value = 0;
    switch (encoding & 0x0f) {
      case 0x00: value = read<std::uint64_t>(); break;
      case 0x01: value = unsigned_leb128(); break;
      case 0x02: value = read<std::uint16_t>(); break;
      case 0x03: value = read<std::uint32_t>(); break;
      case 0x04: value = read<std::uint64_t>(); break;
      case 0x09: value = static_cast<std::uintptr_t>(signed_leb128()); break;
      case 0x0a: value = static_cast<std::uintptr_t>(std::int64_t{read<std::int16_t>()}); break;
      case 0x0b: value = static_cast<std::uintptr_t>(std::int64_t{read<std::int32_t>()}); break;
      case 0x0c: value = read<std::uint64_t>(); break;
      default: ok_ = false; return 0;
    }
    switch (encoding & 0x70) {
      case 0x00: break;
      case 0x10: value += field; break;
      case 0x30: value += data_base; break;
      default: ok_ = false; return 0;
    }
    return value;
  }

  void fail() noexcept { ok_ = false; }

 private:
  std::uintptr_t position_;
  std::uintptr_t low_;
  std::uintptr_t high_;
  bool ok_ = true;
};

// An entry's extent: after its length field, to its end. 0 length is the terminator.
bool read_entry_extent(TableReader& reader, std::uintptr_t& end) noexcept {
  std::uint64_t length = reader.read<std::uint32_t>();
  if (length == 0xffffffffULL) length = reader.read<std::uint64_t>();
  if (!reader.ok() || length == 0 || !reader.inside(reader.position(), length)) return false;
  end = reader.position() + length;
  return true;
}

struct CommonInformation {
  std::uint64_t code_alignment = 1;
  std::int64_t data_alignment = 1;
  std::uint8_t pointer_encoding = 0;
  bool signal_frame = false;
  bool has_augmentation_data = false;
  std::uintptr_t instructions = 0;
  std::uintptr_t end = 0;
};

bool read_cie(TableReader reader, CommonInformation& cie, std::uintptr_t data_base) noexcept {
  if (!read_entry_extent(reader, cie.end)) return false;
  if (reader.read<std::uint32_t>() != 0) return false;  // not a CIE
  const auto version = reader.read<std::uint8_t>();
  if (version != 1 && version != 3) return false;
  char augmentation[8] = {};
  for (int index = 0;; ++index) {
    const char letter = static_cast<char>(reader.read<std::uint8_t>());
    if (!reader.ok() || index == static_cast<int>(sizeof augmentation)) return false;
    if (letter == '\0') break;
    augmentation[index] = letter;
  }
  if (augmentation[0] != '\0' && augmentation[0] != 'z') return false;
  cie.code_alignment = reader.unsigned_leb128();
  cie.data_alignment = reader.signed_leb128();
  if (version == 1) {
    reader.read<std::uint8_t>();
  } else {
    reader.unsigned_leb128();
  }
  if (augmentation[0] == 'z') {
    cie.has_augmentation_data = true;
    const std::uint64_t data_bytes = reader.unsigned_leb128();
    const std::uintptr_t data_end = reader.position() + data_bytes;
    for (const char* letter = augmentation + 1; *letter != '\0' && reader.ok(); ++letter) {
      if (*letter == 'R') {
        cie.pointer_encoding = reader.read<std::uint8_t>();
      } else if (*letter == 'L') {
        reader.read<std::uint8_t>();
      } else if (*letter == 'P') {
        reader.encoded(reader.read<std::uint8_t>(), data_base);
      } else if (*letter == 'S') {
        cie.signal_frame = true;
      } else {
        break;  // the data length lets us skip what we do not know
      }
    }
    reader.seek(data_end);
  }
  cie.instructions = reader.position();
  return reader.ok() && cie.instructions <= cie.end;
}

struct RegisterRule {
  enum Kind : std::uint8_t { SameValue, Undefined, AtOffset, Other } kind = SameValue;
  std::int64_t offset = 0;
};

struct Row {
  std::uint64_t cfa_register = kStackPointerRegister;
  std::int64_t cfa_offset = 0;
  bool cfa_expression = false;
  RegisterRule frame_pointer;
  RegisterRule return_address;
};

struct CfaProgram {
  const CommonInformation& cie;
  std::uintptr_t data_base;
  std::uintptr_t target;  // rows up to and including this address apply
};

RegisterRule* rule_of(Row& row, std::uint64_t reg) noexcept {
  if (reg == kFramePointerRegister) return &row.frame_pointer;
  if (reg == kReturnAddressRegister) return &row.return_address;
  return nullptr;  // registers the walk does not track
}

void set_rule(Row& row, std::uint64_t reg, RegisterRule rule) noexcept {
  if (RegisterRule* slot = rule_of(row, reg)) *slot = rule;
}

void restore_rule(Row& row, const Row& initial, std::uint64_t reg) noexcept {
  if (reg == kFramePointerRegister) row.frame_pointer = initial.frame_pointer;
  if (reg == kReturnAddressRegister) row.return_address = initial.return_address;
}

// Runs the instructions in [reader's position, end) starting at `location`; stops
// before the first advance past the target. `initial` is the CIE's row (for restore).
bool run_program(TableReader& reader, std::uintptr_t end, const CfaProgram& program,
                 std::uintptr_t location, const Row& initial, Row& row) noexcept {
  Row remembered[kRememberedRows];
  int remembered_count = 0;
  const std::uint64_t code_alignment = program.cie.code_alignment;
  const std::int64_t data_alignment = program.cie.data_alignment;
  while (reader.ok() && reader.position() < end) {
    const auto op = reader.read<std::uint8_t>();
    const std::uint8_t operand = op & 0x3f;
    std::uint64_t advance = 0;
    switch (op & 0xc0) {
      case 0x40: advance = operand; break;
      case 0x80:
        set_rule(row, operand, {RegisterRule::AtOffset,
                                static_cast<std::int64_t>(reader.unsigned_leb128()) * data_alignment});
        continue;
      case 0xc0:
        restore_rule(row, initial, operand);
        continue;
      default: break;
    }
    if ((op & 0xc0) == 0) {
      switch (op) {
        case 0x00: continue;
        case 0x01:
          location = reader.encoded(program.cie.pointer_encoding, program.data_base);
          if (location > program.target) return reader.ok();
          continue;
        case 0x02: advance = reader.read<std::uint8_t>(); break;
        case 0x03: advance = reader.read<std::uint16_t>(); break;
        case 0x04: advance = reader.read<std::uint32_t>(); break;
        case 0x05: case 0x2f: {
          const std::uint64_t reg = reader.unsigned_leb128();
          const auto offset = static_cast<std::int64_t>(reader.unsigned_leb128()) * data_alignment;
          set_rule(row, reg, {RegisterRule::AtOffset, op == 0x05 ? offset : -offset});
          continue;
        }
        case 0x06: restore_rule(row, initial, reader.unsigned_leb128()); continue;
        case 0x07: set_rule(row, reader.unsigned_leb128(), {RegisterRule::Undefined, 0}); continue;
        case 0x08: set_rule(row, reader.unsigned_leb128(), {RegisterRule::SameValue, 0}); continue;
        case 0x09:
          set_rule(row, reader.unsigned_leb128(), {RegisterRule::Other, 0});
          reader.unsigned_leb128();
          continue;
        case 0x0a:
          if (remembered_count == kRememberedRows) return false;
          remembered[remembered_count++] = row;
          continue;
        case 0x0b:
          if (remembered_count == 0) return false;
          row = remembered[--remembered_count];
          continue;
        case 0x0c:
          row.cfa_register = reader.unsigned_leb128();
          row.cfa_offset = static_cast<std::int64_t>(reader.unsigned_leb128());
          row.cfa_expression = false;
          continue;
        case 0x0d:
          row.cfa_register = reader.unsigned_leb128();
          row.cfa_expression = false;
          continue;
        case 0x0e: row.cfa_offset = static_cast<std::int64_t>(reader.unsigned_leb128()); continue;
        case 0x0f:
          row.cfa_expression = true;
          reader.seek(reader.position() + reader.unsigned_leb128());
          continue;
        case 0x10: case 0x16: {
          set_rule(row, reader.unsigned_leb128(), {RegisterRule::Other, 0});
          reader.seek(reader.position() + reader.unsigned_leb128());
          continue;
        }
        case 0x11: {
          const std::uint64_t reg = reader.unsigned_leb128();
          set_rule(row, reg, {RegisterRule::AtOffset, reader.signed_leb128() * data_alignment});
          continue;
        }
        case 0x12:
          row.cfa_register = reader.unsigned_leb128();
          row.cfa_offset = reader.signed_leb128() * data_alignment;
          row.cfa_expression = false;
          continue;
        case 0x13: row.cfa_offset = reader.signed_leb128() * data_alignment; continue;
        case 0x14: case 0x15:
          set_rule(row, reader.unsigned_leb128(), {RegisterRule::Other, 0});
          reader.unsigned_leb128();
          continue;
        case 0x2e: reader.unsigned_leb128(); continue;
        default: return false;
      }
    }
    location += advance * code_alignment;
    if (location > program.target) return reader.ok();
  }
  return reader.ok();
}

FrameRule rule_of_kind(FrameRuleKind kind) noexcept {
  FrameRule rule{};
  rule.kind = kind;
  return rule;
}

FrameRule rule_from_row(const Row& row, const CommonInformation& cie) noexcept {
  if (row.return_address.kind == RegisterRule::Undefined) return rule_of_kind(FrameRuleKind::Outermost);
  if (cie.signal_frame || row.cfa_expression ||
      row.return_address.kind != RegisterRule::AtOffset ||
      row.return_address.offset != kReturnAddressOffset ||
      (row.cfa_register != kStackPointerRegister && row.cfa_register != kFramePointerRegister) ||
      row.cfa_offset < -kReturnAddressOffset || row.cfa_offset > kMaxCfaOffset) {
    return rule_of_kind(FrameRuleKind::Unsupported);
  }
  FrameRule rule = rule_of_kind(FrameRuleKind::Step);
  if (row.cfa_register == kFramePointerRegister) rule.flags |= FrameRule::kCfaFromFramePointer;
  rule.cfa_offset = static_cast<std::uint32_t>(row.cfa_offset);
  switch (row.frame_pointer.kind) {
    case RegisterRule::SameValue: break;
    case RegisterRule::AtOffset:
      if (row.frame_pointer.offset >= 0 || row.frame_pointer.offset < INT16_MIN) {
        return rule_of_kind(FrameRuleKind::Unsupported);
      }
      rule.flags |= FrameRule::kFramePointerSaved;
      rule.frame_pointer_offset = static_cast<std::int16_t>(row.frame_pointer.offset);
      break;
    default: rule.flags |= FrameRule::kFramePointerLost; break;
  }
  return rule;
}

// The FDE whose initial location is the greatest at or below `target`, from the
// header's sorted table; 0 when there is none.
std::uintptr_t search_fde(const CodeRange& range, std::uintptr_t target) noexcept {
  const std::uintptr_t header = range.eh_frame_hdr;
  TableReader reader(header, range);
  const auto version = reader.read<std::uint8_t>();
  const auto frame_pointer_encoding = reader.read<std::uint8_t>();
  const auto count_encoding = reader.read<std::uint8_t>();
  const auto table_encoding = reader.read<std::uint8_t>();
  if (!reader.ok() || version != 1 || count_encoding == kOmitEncoding ||
      table_encoding != kSearchTableEncoding) {
    return 0;
  }
  reader.encoded(frame_pointer_encoding, header);
  const std::uintptr_t count = reader.encoded(count_encoding, header);
  const std::uintptr_t table = reader.position();
  constexpr std::uintptr_t kEntryBytes = 2 * sizeof(std::int32_t);
  if (!reader.ok() || count == 0 || count > (range.unwind_data_end - table) / kEntryBytes) return 0;
  std::uintptr_t low = 0;
  std::uintptr_t high = count;
  while (low < high) {
    const std::uintptr_t middle = low + (high - low) / 2;
    std::int32_t start;
    std::memcpy(&start, reinterpret_cast<const void*>(table + middle * kEntryBytes), sizeof start);
    if (header + static_cast<std::uintptr_t>(std::int64_t{start}) <= target) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  if (low == 0) return 0;
  std::int32_t fde_offset;
  std::memcpy(&fde_offset, reinterpret_cast<const void*>(table + (low - 1) * kEntryBytes + 4),
              sizeof fde_offset);
  return header + static_cast<std::uintptr_t>(std::int64_t{fde_offset});
}

}  // namespace

FrameRule compute_frame_rule(std::uintptr_t return_address, const CodeRange& range) noexcept {
  // The call instruction is before the return address, which may already be the next
  // function (a call to a function that does not return).
  const std::uintptr_t target = return_address - 1;
  if (range.eh_frame_hdr == 0) return rule_of_kind(FrameRuleKind::NoUnwindInfo);
  const std::uintptr_t fde = search_fde(range, target);
  if (fde == 0) return rule_of_kind(FrameRuleKind::NoUnwindInfo);

  TableReader reader(fde, range);
  std::uintptr_t fde_end = 0;
  if (!read_entry_extent(reader, fde_end)) return rule_of_kind(FrameRuleKind::Unsupported);
  const std::uintptr_t cie_field = reader.position();
  const auto cie_offset = reader.read<std::uint32_t>();
  if (!reader.ok() || cie_offset == 0 || cie_offset > cie_field) {
    return rule_of_kind(FrameRuleKind::Unsupported);
  }
  CommonInformation cie;
  if (!read_cie(TableReader(cie_field - cie_offset, range), cie, range.eh_frame_hdr)) {
    return rule_of_kind(FrameRuleKind::Unsupported);
  }
  const std::uintptr_t function_start = reader.encoded(cie.pointer_encoding, range.eh_frame_hdr);
  const std::uintptr_t function_bytes =
      reader.encoded(static_cast<std::uint8_t>(cie.pointer_encoding & 0x0f), range.eh_frame_hdr);
  if (!reader.ok()) return rule_of_kind(FrameRuleKind::Unsupported);
  if (target < function_start || target - function_start >= function_bytes) {
    return rule_of_kind(FrameRuleKind::NoUnwindInfo);  // a gap between FDEs
  }
  if (cie.has_augmentation_data) {
    const std::uint64_t data_bytes = reader.unsigned_leb128();  // an LSDA pointer: not needed
    reader.seek(reader.position() + data_bytes);
  }
  if (!reader.ok() || reader.position() > fde_end) return rule_of_kind(FrameRuleKind::Unsupported);

  const CfaProgram program{cie, range.eh_frame_hdr, target};
  const Row before_cie;
  Row initial;
  TableReader cie_reader(cie.instructions, range);
  if (!run_program(cie_reader, cie.end, program, function_start, before_cie, initial)) {
    return rule_of_kind(FrameRuleKind::Unsupported);
  }
  Row row = initial;
  if (!run_program(reader, fde_end, program, function_start, initial, row)) {
    return rule_of_kind(FrameRuleKind::Unsupported);
  }
  return rule_from_row(row, cie);
}

}  // namespace osp::trace
