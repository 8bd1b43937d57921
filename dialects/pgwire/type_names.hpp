// Small readers of format_type spellings ("character varying(20)",
// "numeric(12,2)", "integer[]"), shared by the products' type rules.
#pragma once

#include <string>

namespace seam::pgwire {

// "character varying(20)[]" -> "character varying"; trimmed.
std::string type_base(const std::string& type);
// The i-th type modifier: "numeric(12,2)" -> 12 (i = 0), 2 (i = 1); -1 when
// the type has no modifier list, 0 when it has fewer than i + 1 entries.
int type_mod(const std::string& type, int i = 0);
// An array type ("integer[]").
bool is_array(const std::string& type);

}  // namespace seam::pgwire
