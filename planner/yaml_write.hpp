// Writing YAML by hand, for output that must be byte-stable and readable:
// scalars are plain where no YAML reader can take them for anything but a
// string, literal blocks (`|`) for multi-line text that a literal block can
// carry exactly, double-quoted with escapes otherwise. Internal to planner/.
#pragma once

#include <string>
#include <string_view>

namespace seam::planner::yamlio {

// Throws std::invalid_argument when `s` is not valid UTF-8 (YAML cannot
// carry arbitrary bytes, and a plan must round trip exactly).
void check_utf8(std::string_view s, std::string_view what);

bool plain_ok(std::string_view s);
std::string double_quoted(std::string_view s);
// A scalar that fits on the key's line: plain or double-quoted.
std::string inline_scalar(std::string_view s);

// Appends `lead` + `key` + ": " + value and a newline, where the value is
// a literal block (content indented by indent + 2, `indent` being the
// key's column) when `s` is multi-line - or, with prefer_block, SQL of any
// length - and a block can hold it exactly.
void scalar_line(std::string& out, std::string_view lead, int indent, std::string_view key,
                 std::string_view s, bool prefer_block = false);

// Shortest decimal that reads back as the same double; .inf / .nan otherwise.
std::string number(double v);

}  // namespace seam::planner::yamlio
