// source_manager.cpp — file loading and offset → line/column mapping.
#include "support/source_manager.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace warpc {

SourceRange SourceRange::join(SourceRange a, SourceRange b) {
  if (!a.valid()) return b;
  if (!b.valid() || a.begin.file != b.begin.file) return a;
  SourceRange r = a;
  if (b.begin.offset < r.begin.offset) r.begin = b.begin;
  if (b.end.offset > r.end.offset) r.end = b.end;
  return r;
}

std::optional<FileId> SourceManager::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return add_buffer(path, ss.str());
}

FileId SourceManager::add_buffer(std::string name, std::string text) {
  auto f = std::make_unique<File>();
  f->name = std::move(name);
  f->text = std::move(text);
  f->line_starts.push_back(0);
  for (uint32_t i = 0; i < f->text.size(); ++i)
    if (f->text[i] == '\n') f->line_starts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<FileId>(files_.size() - 1);
}

LineCol SourceManager::line_col(SourceLoc loc) const {
  if (!loc.valid() || loc.file >= files_.size()) return {};
  const auto& starts = files_[loc.file]->line_starts;
  auto it = std::upper_bound(starts.begin(), starts.end(), loc.offset);
  uint32_t line = static_cast<uint32_t>(it - starts.begin());
  return {line, loc.offset - starts[line - 1] + 1};
}

uint32_t SourceManager::line_count(FileId f) const {
  return static_cast<uint32_t>(files_[f]->line_starts.size());
}

uint32_t SourceManager::line_start(FileId f, uint32_t line) const {
  const auto& starts = files_[f]->line_starts;
  if (line == 0 || line > starts.size()) return static_cast<uint32_t>(files_[f]->text.size());
  return starts[line - 1];
}

std::string_view SourceManager::line_text(FileId f, uint32_t line) const {
  const File& file = *files_[f];
  if (line == 0 || line > file.line_starts.size()) return {};
  uint32_t b = file.line_starts[line - 1];
  uint32_t e = line < file.line_starts.size() ? file.line_starts[line] : file.text.size();
  std::string_view s(file.text.data() + b, e - b);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace warpc
