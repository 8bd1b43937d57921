// CockroachDB 23.1-25.x for the pgwire planner. Facts:
// ../shared/reference/compat-facts.md section 2 and the pages cited here;
// none of it was run against a CockroachDB cluster.
#include "dialects/cockroachdb/product.hpp"

#include "dialects/pgwire/type_names.hpp"

namespace seam::cockroachdb {

namespace {

using pgwire::is_array;
using pgwire::type_base;
using pgwire::type_mod;

// CockroachDB's INT / INTEGER is INT8 unless the session sets
// default_int_size = 4 (https://www.cockroachlabs.com/docs/stable/int); the
// model's "integer" is PostgreSQL's 32-bit integer, which CockroachDB spells
// INT4. Every other format_type name means the same there.
std::string column_type(const std::string& t) {
  if (t == "integer") return "int4";
  if (t == "integer[]") return "int4[]";
  return t;
}

int int_width(const std::string& t) {
  if (t == "smallint") return 2;
  if (t == "integer") return 4;
  if (t == "bigint") return 8;
  return 0;
}

bool is_string(const std::string& base) {
  return base == "character varying" || base == "text";
}

// "Conversions without a data rewrite (widening STRING(n), INT4 -> INT8)"
// (cockroachdb.yaml alter_type_binary_coercible; compat-facts section 2):
// every integer is stored the same way whatever its width (the INT page), and
// STRING, TEXT and VARCHAR are one type whose length is a check on writes.
bool no_rewrite(const schema::Column& a, const schema::Column& b) {
  if (a.collation != b.collation || is_array(a.type) || is_array(b.type)) return false;
  int wa = int_width(a.type), wb = int_width(b.type);
  if (wa && wb) return wb >= wa;
  std::string ba = type_base(a.type), bb = type_base(b.type);
  if (!is_string(ba) || !is_string(bb)) return false;
  int la = type_mod(a.type), lb = type_mod(b.type);  // -1: no limit
  if (lb < 0) return true;                           // to an unlimited string
  return la >= 0 && lb >= la;                        // a longer limit
}

}  // namespace

const pgwire::Product& product() {
  static const pgwire::Product p = [] {
    pgwire::Product p;
    p.dialect = "cockroachdb";
    p.name = "CockroachDB";
    p.job = "a schema-change job";
    p.job_control =
        "SHOW JOBS lists it with its progress; PAUSE JOB, RESUME JOB and CANCEL JOB control it, "
        "also through `seam jobs list --db-jobs` and `seam jobs pause|resume|cancel --db-job ID`";
    p.job_control_op = "pause_schema_job";
    p.instant_wait =
        "CockroachDB waits until no node holds a lease on the table's old schema version: a "
        "long-running transaction that touched the table delays this step (it does not block "
        "other sessions).";
    // RENAME COLUMN is a table command that combines with others in one
    // ALTER TABLE, applied atomically ("Add and rename columns atomically",
    // https://www.cockroachlabs.com/docs/stable/rename-column).
    p.combined_rename_swap = true;
    // "The UNIQUE constraint cannot be dropped directly. To remove the
    // constraint, drop the index that was created by the constraint"
    // (https://www.cockroachlabs.com/docs/stable/constraints#remove-constraints).
    p.drop_unique_by_index = true;
    p.column_type = column_type;
    p.no_rewrite_type_change = no_rewrite;
    p.advice = {
        {"create_trigger",
         "CockroachDB has triggers from 24.3 only; before that seam keeps a copied column in step "
         "through the application (app_dual_write)"},
        {"attach_partition",
         "CockroachDB partitions indexes with its own PARTITION BY, which seam does not plan"},
        {"detach_partition",
         "CockroachDB partitions indexes with its own PARTITION BY, which seam does not plan"},
    };
    return p;
  }();
  return p;
}

}  // namespace seam::cockroachdb
