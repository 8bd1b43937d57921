// Local matrix overrides: a YAML file in the compat-matrix schema (dialect,
// product, entries) whose entries replace the built-in ones where they apply,
// typically written by `seam compat verify --write-override FILE` after
// measuring the user's own cluster, and read by `seam plan --matrix-override
// FILE` (or `compat_override:` in seam.yaml).
//
//   compat::Matrix m = compat::with_override(compat::builtin("postgres"), "verified.yaml");
//   const compat::Entry& e = m.at("create_index", v);   // the override's entry when it covers v
//
// Layering rule: an override entry covering version V wins over the built-in
// entries of that op at V; at versions no override entry of the op covers,
// and for ops the override does not mention, the built-in entry applies. The
// result is itself a valid matrix (the built-in ranges are cut around the
// override's, so ranges of one op stay disjoint).
#pragma once

#include <string>

#include "compat-matrix/matrix.hpp"

namespace seam::compat {

// Reads and strictly parses an override file (the same checks as the built-in
// matrices: unknown keys, lock names, strategies, malformed or overlapping
// ranges). Throws InputError naming path:line:col, also when the file's
// `dialect` is not `dialect`.
Matrix load_override(const std::string& path, const std::string& dialect);

// `base` with `over`'s entries layered on top (see the rule above). Throws
// InputError when the dialects differ.
Matrix layer(const Matrix& base, const Matrix& over);

// layer(base, load_override(path, base.dialect)); just `base` when path is empty.
Matrix with_override(const Matrix& base, const std::string& path);

// The YAML of an override file: render_yaml's layout with `verified` written
// out on every entry, so a reader sees what was measured. Deterministic.
std::string render_override(const Matrix& m);

// The pieces of e's version range that `cut`'s range does not cover (zero, one
// or two entries, otherwise equal to e).
std::vector<Entry> subtract_range(const Entry& e, const Entry& cut);

}  // namespace seam::compat
