// depfile.h — Make-syntax dependency files (`warpc -MD -MF FILE [-MT TARGET]`),
// read by Ninja and Make through add_custom_command(DEPFILE) so that editing an
// imported .wp module rebuilds the modules that import it.
//
// Contract: write_depfile() writes "TARGET: DEP DEP …" with spaces, '#' and '$'
// escaped as Make expects, one dependency per continuation line; it returns
// false (and leaves `error` set) when the file cannot be written.
#pragma once

#include <string>
#include <vector>

namespace warpc {

bool write_depfile(const std::string& path, const std::string& target, const std::vector<std::string>& deps,
                   std::string& error);

}  // namespace warpc
