// Name resolution and PostgreSQL's rules for the names it invents
// (users_pkey, users_email_key, users_id_seq ...), so that a constraint left
// unnamed in a file gets the same name the server gives it.
#include <algorithm>
#include <cstring>
#include <map>

#include "schema/load_ctx.hpp"

namespace seam::schema {

namespace {
constexpr size_t kNameDataLen = 64;  // NAMEDATALEN: names hold at most 63 bytes

// Length of the longest prefix of s (at most n bytes) that ends on a UTF-8
// character boundary (pg_mbcliplen).
size_t mbcliplen(const std::string& s, size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) n--;
  return n;
}

// makeObjectName(): name1_name2_label, truncating the longer name first.
std::string make_object_name(const std::string& n1, const std::string& n2, const std::string& label) {
  size_t c1 = n1.size(), c2 = n2.size();
  size_t overhead = (n2.empty() ? 0 : 1) + (label.empty() ? 0 : label.size() + 1);
  size_t avail = kNameDataLen - 1 - overhead;
  while (c1 + c2 > avail) {
    if (c1 > c2)
      c1--;
    else
      c2--;
  }
  c1 = mbcliplen(n1, c1);
  c2 = mbcliplen(n2, c2);
  std::string out = n1.substr(0, c1);
  if (!n2.empty()) out += "_" + n2.substr(0, c2);
  if (!label.empty()) out += "_" + label;
  return out;
}
}  // namespace

std::string Loader::choose_relname(const std::string& schema, const std::string& n1,
                                   const std::string& n2, const std::string& label,
                                   bool is_constraint) {
  std::string mod = label;
  for (int pass = 1;; pass++) {
    std::string name = make_object_name(n1, n2, mod);
    if (!relnames.count({schema, name}) && (!is_constraint || !connames.count({schema, name})))
      return name;
    mod = label + std::to_string(pass);
  }
}

std::string Loader::choose_conname(const std::string& schema, const std::string& n1,
                                   const std::string& n2, const std::string& label,
                                   const std::set<std::string>& also_taken) {
  std::string mod = label;
  for (int pass = 1;; pass++) {
    std::string name = make_object_name(n1, n2, mod);
    if (!connames.count({schema, name}) && !also_taken.count(name)) return name;
    mod = label + std::to_string(pass);
  }
}

QualName Loader::qualify(const PgQuery__RangeVar* rv) const {
  QualName q;
  q.schema = rv->schemaname && *rv->schemaname ? rv->schemaname : default_schema();
  q.name = rv->relname ? rv->relname : "";
  if (rv->catalogname && *rv->catalogname)
    fail(rv->location, "cross-database reference " + std::string(rv->catalogname) + "." +
                           q.schema + "." + q.name + " is not allowed in a schema file");
  return q;
}

QualName Loader::qualify(PgQuery__Node** names, size_t n, int location) const {
  auto parts = pgq::names_of(names, n);
  if (parts.size() == 1) return {default_schema(), parts[0]};
  if (parts.size() == 2) return {parts[0], parts[1]};
  fail(location, "improper qualified name (too many dotted names)");
}

std::string Loader::type_name(const PgQuery__TypeName* t) const {
  std::vector<std::string> parts = pgq::names_of(t->names, t->n_names);
  // An unqualified name of a type the desired state defines in a schema of
  // the search path other than public is written schema-qualified.
  if (parts.size() == 1) {
    for (const auto& s : search_path) {
      if (s == "public" || s == "pg_catalog") break;
      if (cat.types.count({s, parts[0]})) {
        std::string out = quote_ident(s) + "." + format_type_name(t);
        return out;
      }
    }
  }
  return format_type_name(t);
}

Expr Loader::expr(const PgQuery__Node* n) const {
  std::string text = pgq::deparse_expr(n);
  try {
    return canon_expr(text);
  } catch (const std::exception& e) {
    fail(-1, std::string("cannot normalise expression ") + text + ": " + e.what());
  }
}

std::string node_string(const PgQuery__Node* n) {
  if (!n) return "";
  switch (n->node_case) {
    case PG_QUERY__NODE__NODE_STRING:
      return n->string->sval ? n->string->sval : "";
    case PG_QUERY__NODE__NODE_INTEGER:
      return std::to_string(n->integer->ival);
    case PG_QUERY__NODE__NODE_FLOAT:
      return n->float_->fval ? n->float_->fval : "";
    case PG_QUERY__NODE__NODE_BOOLEAN:
      return n->boolean->boolval ? "true" : "false";
    case PG_QUERY__NODE__NODE_TYPE_NAME:
      return format_type_name(n->type_name);
    case PG_QUERY__NODE__NODE_A_CONST: {
      const auto* c = n->a_const;
      switch (c->val_case) {
        case PG_QUERY__A__CONST__VAL_IVAL: return std::to_string(c->ival->ival);
        case PG_QUERY__A__CONST__VAL_FVAL: return c->fval->fval;
        case PG_QUERY__A__CONST__VAL_SVAL: return c->sval->sval;
        case PG_QUERY__A__CONST__VAL_BOOLVAL: return c->boolval->boolval ? "true" : "false";
        default: return "";
      }
    }
    default:
      return pgq::deparse_expr(n);
  }
}

long long node_int(const PgQuery__Node* n, long long dflt) {
  if (!n) return dflt;
  std::string s = node_string(n);
  if (s.empty()) return dflt;
  try {
    return std::stoll(s);
  } catch (...) {
    return dflt;
  }
}

std::string defelems_to_options(PgQuery__Node** opts, size_t n) {
  std::vector<std::string> items;
  for (size_t i = 0; i < n; i++) {
    if (opts[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM) continue;
    const auto* d = opts[i]->def_elem;
    std::string name = d->defname ? d->defname : "";
    if (d->defnamespace && *d->defnamespace) name = std::string(d->defnamespace) + "." + name;
    std::string v = d->arg ? node_string(d->arg) : "true";
    for (auto& c : v) c = static_cast<char>(tolower(c));
    items.push_back(name + "=" + v);
  }
  std::sort(items.begin(), items.end());
  std::string out;
  for (size_t i = 0; i < items.size(); i++) out += (i ? "," : "") + items[i];
  return out;
}

std::string merge_options(const std::string& current, PgQuery__Node** opts, size_t n, bool reset) {
  std::map<std::string, std::string> m;
  size_t b = 0;
  while (b < current.size()) {
    size_t e = current.find(',', b);
    if (e == std::string::npos) e = current.size();
    std::string item = current.substr(b, e - b);
    size_t eq = item.find('=');
    m[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
    b = e + 1;
  }
  std::string add = defelems_to_options(opts, n);
  b = 0;
  while (b < add.size()) {
    size_t e = add.find(',', b);
    if (e == std::string::npos) e = add.size();
    std::string item = add.substr(b, e - b);
    size_t eq = item.find('=');
    if (reset) m.erase(item.substr(0, eq));
    else m[item.substr(0, eq)] = item.substr(eq + 1);
    b = e + 1;
  }
  std::string out;
  for (const auto& [k, v] : m) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

SequenceOptions default_sequence_options(const std::string& type, bool descending) {
  SequenceOptions o;
  o.type = type;
  int64_t tmax = type == "smallint" ? 32767 : type == "integer" ? 2147483647 : INT64_MAX;
  int64_t tmin = type == "smallint" ? -32768 : type == "integer" ? -2147483648LL : INT64_MIN;
  if (descending) {
    o.increment = -1;
    o.max = -1;
    o.min = tmin;
    o.start = o.max;
  } else {
    o.min = 1;
    o.max = tmax;
    o.start = 1;
  }
  return o;
}

}  // namespace seam::schema
