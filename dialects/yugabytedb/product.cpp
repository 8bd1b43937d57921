// YugabyteDB YSQL 2.20, 2024.x and 2025.x for the pgwire planner. Facts:
// ../shared/reference/compat-facts.md section 3 and the pages cited here;
// none of it was run against a YugabyteDB cluster.
#include "dialects/yugabytedb/product.hpp"

#include "dialects/pgwire/type_names.hpp"

namespace seam::yugabytedb {

namespace {

using pgwire::is_array;
using pgwire::type_base;
using pgwire::type_mod;

// YSQL is a fork of PostgreSQL (11.2 up to 2024.x, 15 from 2025.1): its type
// names are PostgreSQL's.
std::string column_type(const std::string& t) {
  return t;
}

// The type changes PostgreSQL makes without a rewrite that the facts name for
// YSQL ("e.g. varchar widen", 2024.1+; TA-24007): string widening and
// numeric precision widening at the same scale.
bool no_rewrite(const schema::Column& a, const schema::Column& b) {
  if (a.collation != b.collation || is_array(a.type) || is_array(b.type)) return false;
  std::string ba = type_base(a.type), bb = type_base(b.type);
  if (ba == "character varying" && (b.type == "text" || b.type == "character varying")) return true;
  if (ba == "character varying" && bb == "character varying")
    return type_mod(a.type) >= 0 && type_mod(b.type) >= type_mod(a.type);
  if (a.type == "text" && b.type == "character varying") return true;
  if (ba == "numeric" && b.type == "numeric") return true;
  if (ba == "numeric" && bb == "numeric")
    return type_mod(a.type) >= 0 && type_mod(b.type) >= type_mod(a.type) &&
           type_mod(a.type, 1) == type_mod(b.type, 1);
  return false;
}

}  // namespace

const pgwire::Product& product() {
  static const pgwire::Product p = [] {
    pgwire::Product p;
    p.dialect = "yugabytedb";
    p.name = "YugabyteDB";
    p.job = "an online index backfill";
    p.job_control =
        "there are no job verbs for it; pg_stat_progress_create_index shows its progress, and "
        "a failed backfill aborts and removes the index";
    // Nothing beyond the entries' notes: the schema-version retry that a
    // catalog change may cause is in the notes where the facts name it.
    p.column_type = column_type;
    p.no_rewrite_type_change = no_rewrite;
    p.advice = {
        {"add_column_volatile_default",
         "on 2.20, add the column without the default, set the default and backfill it in a "
         "separate change, or upgrade to 2024.1 or later"},
        {"alter_type_binary_coercible",
         "the facts document type changes without a rewrite from 2024.1 only"},
    };
    return p;
  }();
  return p;
}

}  // namespace seam::yugabytedb
