// Default operator classes of the built-in index methods (PostgreSQL 15's
// pg_opclass, opcdefault): an opclass written explicitly that is the default
// for the column's type is left out, as pg_get_indexdef leaves it out.
#include <string>
#include <tuple>
#include <set>

#include "schema/load_ctx.hpp"

namespace seam::schema {

namespace {
const std::set<std::tuple<std::string, std::string, std::string>>& defaults() {
  static const std::set<std::tuple<std::string, std::string, std::string>> s = {
      {"brin", "\"char\"", "char_minmax_ops"},
      {"brin", "anyrange", "range_inclusion_ops"},
      {"brin", "bigint", "int8_minmax_ops"},
      {"brin", "bit varying", "varbit_minmax_ops"},
      {"brin", "bit", "bit_minmax_ops"},
      {"brin", "box", "box_inclusion_ops"},
      {"brin", "bytea", "bytea_minmax_ops"},
      {"brin", "character", "bpchar_minmax_ops"},
      {"brin", "date", "date_minmax_ops"},
      {"brin", "double precision", "float8_minmax_ops"},
      {"brin", "inet", "inet_inclusion_ops"},
      {"brin", "integer", "int4_minmax_ops"},
      {"brin", "interval", "interval_minmax_ops"},
      {"brin", "macaddr8", "macaddr8_minmax_ops"},
      {"brin", "macaddr", "macaddr_minmax_ops"},
      {"brin", "name", "name_minmax_ops"},
      {"brin", "numeric", "numeric_minmax_ops"},
      {"brin", "oid", "oid_minmax_ops"},
      {"brin", "pg_lsn", "pg_lsn_minmax_ops"},
      {"brin", "real", "float4_minmax_ops"},
      {"brin", "smallint", "int2_minmax_ops"},
      {"brin", "text", "text_minmax_ops"},
      {"brin", "tid", "tid_minmax_ops"},
      {"brin", "time with time zone", "timetz_minmax_ops"},
      {"brin", "time without time zone", "time_minmax_ops"},
      {"brin", "timestamp with time zone", "timestamptz_minmax_ops"},
      {"brin", "timestamp without time zone", "timestamp_minmax_ops"},
      {"brin", "uuid", "uuid_minmax_ops"},
      {"btree", "\"char\"", "char_ops"},
      {"btree", "anyarray", "array_ops"},
      {"btree", "anyenum", "enum_ops"},
      {"btree", "anymultirange", "multirange_ops"},
      {"btree", "anyrange", "range_ops"},
      {"btree", "bigint", "int8_ops"},
      {"btree", "bit varying", "varbit_ops"},
      {"btree", "bit", "bit_ops"},
      {"btree", "boolean", "bool_ops"},
      {"btree", "bytea", "bytea_ops"},
      {"btree", "character", "bpchar_ops"},
      {"btree", "date", "date_ops"},
      {"btree", "double precision", "float8_ops"},
      {"btree", "inet", "inet_ops"},
      {"btree", "integer", "int4_ops"},
      {"btree", "interval", "interval_ops"},
      {"btree", "jsonb", "jsonb_ops"},
      {"btree", "macaddr8", "macaddr8_ops"},
      {"btree", "macaddr", "macaddr_ops"},
      {"btree", "money", "money_ops"},
      {"btree", "name", "name_ops"},
      {"btree", "numeric", "numeric_ops"},
      {"btree", "oidvector", "oidvector_ops"},
      {"btree", "oid", "oid_ops"},
      {"btree", "pg_lsn", "pg_lsn_ops"},
      {"btree", "real", "float4_ops"},
      {"btree", "record", "record_ops"},
      {"btree", "smallint", "int2_ops"},
      {"btree", "text", "text_ops"},
      {"btree", "tid", "tid_ops"},
      {"btree", "time with time zone", "timetz_ops"},
      {"btree", "time without time zone", "time_ops"},
      {"btree", "timestamp with time zone", "timestamptz_ops"},
      {"btree", "timestamp without time zone", "timestamp_ops"},
      {"btree", "tsquery", "tsquery_ops"},
      {"btree", "tsvector", "tsvector_ops"},
      {"btree", "uuid", "uuid_ops"},
      {"btree", "xid8", "xid8_ops"},
      {"gin", "anyarray", "array_ops"},
      {"gin", "jsonb", "jsonb_ops"},
      {"gin", "tsvector", "tsvector_ops"},
      {"gist", "anymultirange", "multirange_ops"},
      {"gist", "anyrange", "range_ops"},
      {"gist", "box", "box_ops"},
      {"gist", "circle", "circle_ops"},
      {"gist", "point", "point_ops"},
      {"gist", "polygon", "poly_ops"},
      {"gist", "tsquery", "tsquery_ops"},
      {"gist", "tsvector", "tsvector_ops"},
      {"hash", "\"char\"", "char_ops"},
      {"hash", "aclitem", "aclitem_ops"},
      {"hash", "anyarray", "array_ops"},
      {"hash", "anyenum", "enum_ops"},
      {"hash", "anymultirange", "multirange_ops"},
      {"hash", "anyrange", "range_ops"},
      {"hash", "bigint", "int8_ops"},
      {"hash", "boolean", "bool_ops"},
      {"hash", "bytea", "bytea_ops"},
      {"hash", "character", "bpchar_ops"},
      {"hash", "cid", "cid_ops"},
      {"hash", "date", "date_ops"},
      {"hash", "double precision", "float8_ops"},
      {"hash", "inet", "inet_ops"},
      {"hash", "integer", "int4_ops"},
      {"hash", "interval", "interval_ops"},
      {"hash", "jsonb", "jsonb_ops"},
      {"hash", "macaddr8", "macaddr8_ops"},
      {"hash", "macaddr", "macaddr_ops"},
      {"hash", "name", "name_ops"},
      {"hash", "numeric", "numeric_ops"},
      {"hash", "oidvector", "oidvector_ops"},
      {"hash", "oid", "oid_ops"},
      {"hash", "pg_lsn", "pg_lsn_ops"},
      {"hash", "real", "float4_ops"},
      {"hash", "record", "record_ops"},
      {"hash", "smallint", "int2_ops"},
      {"hash", "text", "text_ops"},
      {"hash", "tid", "tid_ops"},
      {"hash", "time with time zone", "timetz_ops"},
      {"hash", "time without time zone", "time_ops"},
      {"hash", "timestamp with time zone", "timestamptz_ops"},
      {"hash", "timestamp without time zone", "timestamp_ops"},
      {"hash", "uuid", "uuid_ops"},
      {"hash", "xid8", "xid8_ops"},
      {"hash", "xid", "xid_ops"},
      {"spgist", "anyrange", "range_ops"},
      {"spgist", "box", "box_ops"},
      {"spgist", "inet", "inet_ops"},
      {"spgist", "point", "quad_point_ops"},
      {"spgist", "polygon", "poly_ops"},
      {"spgist", "text", "text_ops"}
  };
  return s;
}
}  // namespace

bool is_default_opclass(const std::string& method, const std::string& column_type, bool is_enum,
                        const std::string& opclass) {
  std::string t = column_type;
  if (t.size() > 2 && t.compare(t.size() - 2, 2, "[]") == 0) t = "anyarray";
  else if (is_enum) t = "anyenum";
  else {
    size_t p = t.find('(');
    if (p != std::string::npos) {
      size_t q = t.find(')', p);
      t = t.substr(0, p) + (q == std::string::npos ? "" : t.substr(q + 1));
    }
    if (t == "character varying") t = "text";  // varchar uses text's opclasses
  }
  std::string op = opclass;
  if (op.rfind("pg_catalog.", 0) == 0) op = op.substr(11);
  return defaults().count({method, t, op}) > 0;
}

}  // namespace seam::schema
