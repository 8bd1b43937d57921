// Spanner's PostgreSQL interface for the pgwire planner. Facts:
// ../shared/reference/compat-facts.md section 4 and the pages cited here;
// none of it was run against a Spanner database.
#include "dialects/spanner/product.hpp"

#include <set>

#include "dialects/pgwire/type_names.hpp"
#include "schema/errors.hpp"

namespace seam::spanner {

namespace {

using pgwire::is_array;
using pgwire::type_base;
using pgwire::type_mod;

constexpr const char* kTypesPage =
    "https://cloud.google.com/spanner/docs/reference/postgresql/data-types";

// The types the PostgreSQL interface supports (the data-types page). A
// PostgreSQL type outside this list would be created as something else or
// refused, and the desired state would never match: refuse it here.
std::string column_type(const std::string& t) {
  static const std::set<std::string> supported = {"bigint",
                                                  "boolean",
                                                  "bytea",
                                                  "date",
                                                  "real",
                                                  "double precision",
                                                  "interval",
                                                  "jsonb",
                                                  "numeric",
                                                  "text",
                                                  "character varying",
                                                  "timestamp with time zone"};
  std::string base = type_base(t);
  if (base == "integer" || base == "smallint")
    throw UnsupportedError(
        "type " + t +
        " does not exist in Spanner's PostgreSQL interface: int and integer are aliases of int8 "
        "(bigint) there and there is no 2- or 4-byte integer (" +
        kTypesPage + "); declare the column bigint");
  if (base == "numeric" && type_mod(t) >= 0)
    throw UnsupportedError("type " + t +
                           ": Spanner's PostgreSQL interface accepts numeric without precision "
                           "and scale in DDL only (" +
                           kTypesPage + "); declare the column numeric");
  if (!supported.count(base) || t.find("[][]") != std::string::npos)
    throw UnsupportedError("type " + t +
                           " is not among the types of Spanner's PostgreSQL interface (" +
                           kTypesPage + ")");
  return t;
}

bool is_string(const std::string& base) {
  return base == "character varying" || base == "text";
}

// "Only varchar <-> bytea and raising or lowering a varchar(n)/bytea length
// limit" (spanner-pg.yaml alter_type_binary_coercible; compat-facts section 4).
bool no_rewrite(const schema::Column& a, const schema::Column& b) {
  if (a.collation != b.collation || is_array(a.type) != is_array(b.type)) return false;
  std::string ba = type_base(a.type), bb = type_base(b.type);
  bool sa = is_string(ba), sb = is_string(bb);
  if (sa && sb) return true;  // a length limit raised, lowered or removed
  return (sa && bb == "bytea") || (ba == "bytea" && sb) || (ba == "bytea" && bb == "bytea");
}

}  // namespace

const pgwire::Product& product() {
  static const pgwire::Product p = [] {
    pgwire::Product p;
    p.dialect = "spanner-pg";
    p.name = "Spanner (PostgreSQL interface)";
    p.versionless = true;
    p.job = "a long-running schema operation (UpdateDatabaseDdl)";
    p.job_control =
        "gcloud spanner operations list --type=DATABASE_UPDATE_DDL shows it and its progress; "
        "there is no pause or resume";
    p.instant_wait =
        "Spanner applies it as a schema operation that reads and writes do not wait for; many "
        "schema changes in a short time are throttled.";
    p.composite_key_note =
        "Spanner's PostgreSQL interface does not document row-value comparison ((a, b) > (x, "
        "y)), which seam's keyset batches use over a composite primary key: check it on a "
        "scratch database before running this backfill.";
    // "You must specify the SQL SECURITY as either INVOKER or DEFINER"
    // (https://cloud.google.com/spanner/docs/create-manage-views). INVOKER:
    // the querying role's privileges apply, as for a table; DEFINER views
    // exist for fine-grained access control and would need a role seam does
    // not model.
    p.view_security = "SQL SECURITY INVOKER";
    // DropTableWithDependentIndices (spanner-pg.yaml drop_table).
    p.drop_indexes_before_table = true;
    p.column_type = column_type;
    p.no_rewrite_type_change = no_rewrite;
    p.advice = {
        {"add_unique",
         "Spanner enforces uniqueness with unique indexes "
         "(https://cloud.google.com/spanner/docs/secondary-indexes): declare CREATE UNIQUE "
         "INDEX in the desired state instead of a UNIQUE constraint"},
        {"rename_column",
         "Spanner's supported schema updates do not include renaming a column "
         "(https://cloud.google.com/spanner/docs/schema-updates#supported-updates): add a column "
         "under a new name, move the application to it and drop the old one in a later change"},
    };
    return p;
  }();
  return p;
}

}  // namespace seam::spanner
