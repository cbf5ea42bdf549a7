// source_manager.h — owns every source file the compiler reads and maps
// compact locations (file id + byte offset) back to line/column/text.
//
// Contract: a SourceLoc is valid for the lifetime of the SourceManager that
// produced it. Lines and columns are 1-based; columns count bytes (tabs are
// one column), matching clang's default. Buffers never move once added.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warpc {

using FileId = uint32_t;
inline constexpr FileId kNoFile = ~FileId{0};

// A position in a source buffer.
struct SourceLoc {
  FileId file = kNoFile;
  uint32_t offset = 0;

  bool valid() const { return file != kNoFile; }
  friend bool operator==(SourceLoc, SourceLoc) = default;
};

// A half-open byte range [begin, end) within one file.
struct SourceRange {
  SourceLoc begin;
  SourceLoc end;

  SourceRange() = default;
  SourceRange(SourceLoc b, SourceLoc e) : begin(b), end(e) {}
  explicit SourceRange(SourceLoc at) : begin(at), end{at.file, at.offset + 1} {}
  bool valid() const { return begin.valid(); }
  // The smallest range covering both (both must be in the same file).
  static SourceRange join(SourceRange a, SourceRange b);
};

struct LineCol {
  uint32_t line = 0;
  uint32_t col = 0;
};

class SourceManager {
 public:
  // Reads a file from disk; returns nullopt if it cannot be read.
  std::optional<FileId> load_file(const std::string& path);
  // Adds an in-memory buffer (used by tests and the fuzzer).
  FileId add_buffer(std::string name, std::string text);

  std::string_view text(FileId f) const { return files_[f]->text; }
  const std::string& name(FileId f) const { return files_[f]->name; }
  size_t file_count() const { return files_.size(); }

  LineCol line_col(SourceLoc loc) const;
  // The text of a 1-based line, without its newline.
  std::string_view line_text(FileId f, uint32_t line) const;
  // Byte offset at which a 1-based line starts.
  uint32_t line_start(FileId f, uint32_t line) const;
  uint32_t line_count(FileId f) const;

 private:
  struct File {
    std::string name;
    std::string text;
    std::vector<uint32_t> line_starts;  // offset of each line's first byte
  };
  std::vector<std::unique_ptr<File>> files_;
};

}  // namespace warpc
