// seam_bench_gen: prints a synthetic desired-state schema (bench/gen_schema.hpp).
//
//   seam_bench_gen 1000 [--seed 7] > schema.sql
//   seam_bench_gen 1000 --changed > changed.sql   # the other side of a pair
//   seam_bench_gen 1000 --stats      # counts on stderr as well
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

#include "bench/gen_schema.hpp"

namespace {

int usage() {
  std::cerr << "usage: seam_bench_gen N [--seed S] [--changed] [--stats] > schema.sql\n";
  return 2;
}

long parse_number(const char* what, const std::string& text) {
  size_t used = 0;
  long v = -1;
  try {
    v = std::stol(text, &used);
  } catch (const std::exception&) {
  }
  if (used != text.size() || v < 0)
    throw std::invalid_argument(std::string(what) + " must be a non-negative integer, got '" + text + "'");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  seam::bench::GenOptions o;
  bool have_n = false, stats = false;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--seed" && i + 1 < argc) {
        o.seed = static_cast<uint64_t>(parse_number("--seed", argv[++i]));
      } else if (a == "--changed") {
        o.changed = true;
      } else if (a == "--stats") {
        stats = true;
      } else if (a == "-h" || a == "--help") {
        usage();
        return 0;
      } else if (!have_n && !a.empty() && a[0] != '-') {
        o.tables = static_cast<int>(parse_number("N", a));
        have_n = true;
      } else {
        return usage();
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "seam_bench_gen: " << e.what() << "\n";
    return 2;
  }
  if (!have_n) return usage();

  seam::bench::GenStats st;
  std::cout << seam::bench::generate_schema(o, &st);
  std::cout.flush();
  if (stats)
    std::cerr << st.tables << " tables, " << st.columns << " columns, " << st.indexes << " indexes, "
              << st.foreign_keys << " foreign keys, " << st.checks << " checks, " << st.uniques
              << " unique constraints, " << st.views << " views, " << st.functions << " functions, "
              << st.triggers << " triggers, " << st.comments << " comments, " << st.bytes << " bytes\n";
  if (stats && o.changed) {
    const auto& c = st.changes;
    std::cerr << c.total() << " changes: tables +" << c.tables_added << " -" << c.tables_dropped << ", columns +"
              << c.columns_added << " -" << c.columns_dropped << " retyped " << c.columns_retyped << ", defaults "
              << c.defaults_changed << ", not null " << c.not_null_changed << ", checks +" << c.checks_added
              << ", foreign keys -" << c.foreign_keys_dropped << ", indexes +" << c.indexes_added << " -"
              << c.indexes_dropped << ", views +" << c.views_added << " -" << c.views_dropped << " changed "
              << c.views_changed << ", triggers +" << c.triggers_added << " -" << c.triggers_dropped
              << ", comments " << c.comments_changed << ", functions +" << c.functions_added << " changed "
              << c.functions_changed << ", enum labels +" << c.enum_labels_added << "\n";
  }
  return std::cout ? 0 : 1;
}
