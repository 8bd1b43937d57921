// CREATE TYPE (enum, composite) / CREATE DOMAIN, CREATE SEQUENCE, CREATE
// EXTENSION, CREATE SCHEMA and their comments.
#include "dialects/postgres/render_create.hpp"
#include "dialects/postgres/render_util.hpp"
#include "schema/canon.hpp"

namespace seam::pg {

using namespace render_detail;
using schema::quote_ident;
using schema::quote_literal;
using schema::quote_qual;

std::string create_sql(const schema::Type& ty) {
  std::string s;
  switch (ty.kind) {
    case schema::TypeKind::Enum: {
      std::vector<std::string> labels;
      for (const auto& l : ty.labels) labels.push_back(quote_literal(l));
      s = "CREATE TYPE " + quote_qual(ty.name) + " AS ENUM (";
      if (!labels.empty()) s += "\n    " + join(labels, ",\n    ") + "\n";
      s += ");\n";
      break;
    }
    case schema::TypeKind::Composite: {
      std::vector<std::string> attrs;
      for (const auto& a : ty.attrs) {
        std::string d = quote_ident(a.name) + " " + a.type;
        if (!a.collation.empty()) d += " COLLATE " + quote_collation(a.collation);
        attrs.push_back(std::move(d));
      }
      s = "CREATE TYPE " + quote_qual(ty.name) + " AS (";
      if (!attrs.empty()) s += "\n    " + join(attrs, ",\n    ") + "\n";
      s += ");\n";
      break;
    }
    case schema::TypeKind::Domain: {
      s = "CREATE DOMAIN " + quote_qual(ty.name) + " AS " + ty.base_type;
      if (!ty.collation.empty()) s += " COLLATE " + quote_collation(ty.collation);
      if (has_expr(ty.default_expr)) s += " DEFAULT " + b_expr(expr_text(*ty.default_expr));
      if (ty.not_null) s += " NOT NULL";
      std::string later;
      for (const auto& c : ty.checks) {
        std::string def = "CONSTRAINT " + quote_ident(c.name) + " CHECK " + paren(expr_text(c.check));
        if (c.not_valid)  // CREATE DOMAIN cannot create an unvalidated check
          later += "ALTER DOMAIN " + quote_qual(ty.name) + " ADD " + def + " NOT VALID;\n";
        else
          s += "\n    " + def;
      }
      s += ";\n" + later;
      break;
    }
  }
  return s;
}

std::string comment_sql(const schema::Type& ty) {
  const char* kind = ty.kind == schema::TypeKind::Domain ? "DOMAIN " : "TYPE ";
  return comment_stmt(kind + quote_qual(ty.name), ty.comment);
}

std::string comment_sql(const schema::Type& domain, const schema::DomainCheck& c) {
  return comment_stmt("CONSTRAINT " + quote_ident(c.name) + " ON DOMAIN " + quote_qual(domain.name), c.comment);
}

std::string create_sql(const schema::Sequence& sq) {
  std::string s = "CREATE SEQUENCE " + quote_qual(sq.name);
  for (const auto& o : sequence_option_clauses(sq.opts, sq.opts.type.empty() ? "bigint" : sq.opts.type, true))
    s += " " + o;
  return s + ";\n";
}

std::string owned_by_sql(const schema::Sequence& sq) {
  if (!sq.owned_by_table || sq.owned_by_column.empty()) return {};
  return "ALTER SEQUENCE " + quote_qual(sq.name) + " OWNED BY " + quote_qual(*sq.owned_by_table) + "." +
         quote_ident(sq.owned_by_column) + ";\n";
}

std::string comment_sql(const schema::Sequence& sq) {
  return comment_stmt("SEQUENCE " + quote_qual(sq.name), sq.comment);
}

std::string create_sql(const schema::Extension& e) {
  std::string s = "CREATE EXTENSION IF NOT EXISTS " + quote_ident(e.name);
  if (!e.schema.empty()) s += " SCHEMA " + quote_ident(e.schema);
  if (!e.version.empty()) s += " VERSION " + quote_literal(e.version);
  return s + ";\n";
}

std::string comment_sql(const schema::Extension& e) {
  return comment_stmt("EXTENSION " + quote_ident(e.name), e.comment);
}

std::string create_sql(const schema::Schema& sc) { return "CREATE SCHEMA " + quote_ident(sc.name) + ";\n"; }

std::string comment_sql(const schema::Schema& sc) { return comment_stmt("SCHEMA " + quote_ident(sc.name), sc.comment); }

}  // namespace seam::pg
