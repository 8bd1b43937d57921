#include "schema/compare.hpp"

#include <functional>
#include <set>
#include <sstream>

#include "schema/canon.hpp"

namespace seam::schema {

namespace {

struct Cmp {
  std::vector<Difference>& out;
  std::string obj;
  const std::set<std::string>* domain_columns = nullptr;  // see strip_column_casts
  template <class T>
  void field(const char* name, const T& a, const T& b, std::function<std::string(const T&)> show) {
    if (!(a == b)) out.push_back({obj, std::string(name) + ": " + show(a) + " vs " + show(b)});
  }
  void str(const char* name, const std::string& a, const std::string& b) {
    if (a != b) out.push_back({obj, std::string(name) + ": " + (a.empty() ? "(none)" : a) + " vs " + (b.empty() ? "(none)" : b)});
  }
  void flag(const char* name, bool a, bool b) {
    if (a != b) out.push_back({obj, std::string(name) + ": " + (a ? "true" : "false") + " vs " + (b ? "true" : "false")});
  }
  void expr(const char* name, const std::optional<Expr>& a, const std::optional<Expr>& b) {
    std::string x = a ? a->canon : "", y = b ? b->canon : "";
    if (x != y && domain_columns && !domain_columns->empty() && !x.empty() && !y.empty())
      if (strip_column_casts(x, *domain_columns) == strip_column_casts(y, *domain_columns)) return;
    if (x != y) str(name, a ? a->text : "", b ? b->text : "");
  }
  void list(const char* name, const std::vector<std::string>& a, const std::vector<std::string>& b) {
    if (a == b) return;
    auto j = [](const std::vector<std::string>& v) {
      std::string s;
      for (size_t i = 0; i < v.size(); i++) s += (i ? ", " : "") + v[i];
      return "(" + s + ")";
    };
    out.push_back({obj, std::string(name) + ": " + j(a) + " vs " + j(b)});
  }
};

std::string show_seq(const SequenceOptions& o) {
  std::ostringstream s;
  s << "AS " << o.type << " START " << o.start << " INCREMENT " << o.increment << " MINVALUE " << o.min
    << " MAXVALUE " << o.max << " CACHE " << o.cache << (o.cycle ? " CYCLE" : "");
  return s.str();
}

std::string show_elems(const std::vector<IndexElem>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); i++) {
    const auto& e = v[i];
    s += (i ? ", " : "") + (e.column.empty() ? "(" + (e.expr ? e.expr->text : "") + ")" : e.column);
    if (!e.collation.empty()) s += " COLLATE " + e.collation;
    if (!e.opclass.empty()) s += " " + e.opclass;
    if (e.desc) s += " DESC";
    if (e.nulls == 1) s += " NULLS FIRST";
    if (e.nulls == 2) s += " NULLS LAST";
    if (!e.exclude_op.empty()) s += " WITH " + e.exclude_op;
  }
  return "(" + s + ")";
}

bool elems_equal(const std::vector<IndexElem>& a, const std::vector<IndexElem>& b,
                 const std::set<std::string>* domain_columns = nullptr) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    const auto &x = a[i], &y = b[i];
    if (x.column != y.column || x.collation != y.collation || x.opclass != y.opclass || x.desc != y.desc ||
        x.nulls != y.nulls || x.exclude_op != y.exclude_op)
      return false;
    std::string ex = x.expr ? x.expr->canon : "", ey = y.expr ? y.expr->canon : "";
    if (ex != ey && !(domain_columns && !ex.empty() && !ey.empty() &&
                      strip_column_casts(ex, *domain_columns) == strip_column_casts(ey, *domain_columns)))
      return false;
  }
  return true;
}

template <class K, class V, class F, class N>
void each_pair(std::vector<Difference>& out, const std::map<K, V>& a, const std::map<K, V>& b, N name, F cmp) {
  for (const auto& [k, v] : a) {
    auto it = b.find(k);
    if (it == b.end()) out.push_back({name(k, v), "only in desired state"});
    else cmp(name(k, v), v, it->second);
  }
  for (const auto& [k, v] : b)
    if (!a.count(k)) out.push_back({name(k, v), "only in live database"});
}

void compare_constraint(std::vector<Difference>& out, const std::string& obj, const Constraint& a, const Constraint& b,
                        const std::set<std::string>* domain_columns) {
  Cmp c{out, obj, domain_columns};
  c.str("kind", to_string(a.kind), to_string(b.kind));
  c.list("columns", a.columns, b.columns);
  c.list("include", a.include, b.include);
  c.flag("nulls not distinct", a.nulls_not_distinct, b.nulls_not_distinct);
  c.expr("check", a.check, b.check);
  // connoinherit is meaningful for CHECK only (the server sets it on primary keys)
  if (a.kind == ConstraintKind::Check) c.flag("no inherit", a.no_inherit, b.no_inherit);
  c.flag("not valid", a.not_valid, b.not_valid);
  if (a.kind == ConstraintKind::ForeignKey) {
    c.str("references", a.ref_table.str(), b.ref_table.str());
    c.list("referenced columns", a.ref_columns, b.ref_columns);
    c.str("on update", std::string(1, a.on_update), std::string(1, b.on_update));
    c.str("on delete", std::string(1, a.on_delete), std::string(1, b.on_delete));
    c.str("match", std::string(1, a.match), std::string(1, b.match));
  }
  c.flag("deferrable", a.deferrable, b.deferrable);
  c.flag("initially deferred", a.initially_deferred, b.initially_deferred);
  c.str("method", a.method, b.method);
  if (!elems_equal(a.elems, b.elems)) c.str("elements", show_elems(a.elems), show_elems(b.elems));
  c.expr("where", a.where, b.where);
  c.str("comment", a.comment, b.comment);
}

void compare_column(std::vector<Difference>& out, const std::string& obj, const Column& a, const Column& b,
                    const std::set<std::string>* domain_columns) {
  Cmp c{out, obj, domain_columns};
  c.str("type", a.type, b.type);
  c.str("collation", a.collation, b.collation);
  c.expr("default", a.default_expr, b.default_expr);
  c.flag("not null", a.not_null, b.not_null);
  c.str("identity", a.identity ? std::string(1, a.identity) : "", b.identity ? std::string(1, b.identity) : "");
  if (a.identity && b.identity) {
    c.field<SequenceOptions>("identity sequence", a.identity_seq, b.identity_seq, show_seq);
  }
  c.expr("generated", a.generated, b.generated);
  c.str("comment", a.comment, b.comment);
}

void compare_table(std::vector<Difference>& out, const std::string& obj, const Table& a, const Table& b,
                   const std::set<std::string>* domain_columns) {
  Cmp c{out, obj, domain_columns};
  c.str("persistence", std::string(1, a.persistence), std::string(1, b.persistence));
  std::vector<std::string> ca, cb;
  for (const auto& x : a.columns) ca.push_back(x.name);
  for (const auto& x : b.columns) cb.push_back(x.name);
  c.list("columns", ca, cb);
  for (const auto& x : a.columns)
    if (const Column* y = b.find_column(x.name))
      compare_column(out, "column " + a.name.str() + "." + quote_ident(x.name), x, *y, domain_columns);
  std::map<std::string, Constraint> ka, kb;
  for (const auto& x : a.constraints) ka[x.name] = x;
  for (const auto& x : b.constraints) kb[x.name] = x;
  each_pair(out, ka, kb,
            [&](const std::string& n, const Constraint&) { return "constraint " + quote_ident(n) + " on " + a.name.str(); },
            [&](const std::string& o, const Constraint& x, const Constraint& y) { compare_constraint(out, o, x, y, domain_columns); });
  c.str("partition by", a.partition_by.strategy + " " + a.partition_by.key.canon, b.partition_by.strategy + " " + b.partition_by.key.canon);
  c.str("partition of", a.partition_of ? a.partition_of->str() : "", b.partition_of ? b.partition_of->str() : "");
  c.str("partition bound", a.partition_bound.canon, b.partition_bound.canon);
  std::vector<std::string> ia, ib;
  for (const auto& x : a.inherits) ia.push_back(x.str());
  for (const auto& x : b.inherits) ib.push_back(x.str());
  c.list("inherits", ia, ib);
  c.str("storage parameters", a.with, b.with);
  c.str("replica identity", a.replica_identity, b.replica_identity);
  c.flag("row level security", a.rls_enabled, b.rls_enabled);
  std::map<std::string, Policy> pa, pb;
  for (const auto& x : a.policies) pa[x.name] = x;
  for (const auto& x : b.policies) pb[x.name] = x;
  each_pair(out, pa, pb,
            [&](const std::string& n, const Policy&) { return "policy " + quote_ident(n) + " on " + a.name.str(); },
            [&](const std::string& o, const Policy& x, const Policy& y) {
              Cmp p{out, o, domain_columns};
              p.flag("permissive", x.permissive, y.permissive);
              p.str("command", x.command, y.command);
              p.list("roles", x.roles, y.roles);
              p.expr("using", x.using_expr, y.using_expr);
              p.expr("with check", x.check_expr, y.check_expr);
              p.str("comment", x.comment, y.comment);
            });
  c.flag("force row level security", a.rls_forced, b.rls_forced);
  c.str("comment", a.comment, b.comment);
}

}  // namespace

std::vector<Difference> compare(const Catalog& a, const Catalog& b) {
  std::vector<Difference> out;
  // initdb gives public this comment; a desired state that says nothing about it means the same.
  auto schema_comment = [](const Schema& s) {
    return s.name == "public" && s.comment == "standard public schema" ? std::string() : s.comment;
  };
  each_pair(out, a.schemas, b.schemas, [](const std::string& n, const Schema&) { return "schema " + quote_ident(n); },
            [&](const std::string& o, const Schema& x, const Schema& y) {
              Cmp{out, o}.str("comment", schema_comment(x), schema_comment(y));
            });
  for (const auto& [n, e] : a.extensions) {
    auto it = b.extensions.find(n);
    std::string o = "extension " + quote_ident(n);
    if (it == b.extensions.end()) { out.push_back({o, "only in desired state"}); continue; }
    Cmp c{out, o};
    if (!e.schema.empty()) c.str("schema", e.schema, it->second.schema);
    if (!e.version.empty()) c.str("version", e.version, it->second.version);
    c.str("comment", e.comment, it->second.comment);
  }
  for (const auto& [n, e] : b.extensions)
    if (!a.extensions.count(n) && n != "plpgsql") out.push_back({"extension " + quote_ident(n), "only in live database"});
  each_pair(out, a.types, b.types, [](const QualName& n, const Type& t) { return std::string(to_string(t.kind)) + " " + n.str(); },
            [&](const std::string& o, const Type& x, const Type& y) {
              Cmp c{out, o};
              c.str("kind", to_string(x.kind), to_string(y.kind));
              c.list("labels", x.labels, y.labels);
              c.str("base type", x.base_type, y.base_type);
              c.str("collation", x.collation, y.collation);
              c.expr("default", x.default_expr, y.default_expr);
              c.flag("not null", x.not_null, y.not_null);
              std::vector<std::string> ka, kb;
              for (const auto& k : x.checks) ka.push_back(k.name + " CHECK (" + k.check.canon + ")" + (k.not_valid ? " NOT VALID" : "") + (k.comment.empty() ? "" : " -- " + k.comment));
              for (const auto& k : y.checks) kb.push_back(k.name + " CHECK (" + k.check.canon + ")" + (k.not_valid ? " NOT VALID" : "") + (k.comment.empty() ? "" : " -- " + k.comment));
              c.list("checks", ka, kb);
              std::vector<std::string> aa, ab;
              for (const auto& k : x.attrs) aa.push_back(k.name + " " + k.type + (k.collation.empty() ? "" : " COLLATE " + k.collation));
              for (const auto& k : y.attrs) ab.push_back(k.name + " " + k.type + (k.collation.empty() ? "" : " COLLATE " + k.collation));
              c.list("attributes", aa, ab);
              c.str("comment", x.comment, y.comment);
            });
  each_pair(out, a.sequences, b.sequences, [](const QualName& n, const Sequence&) { return "sequence " + n.str(); },
            [&](const std::string& o, const Sequence& x, const Sequence& y) {
              Cmp c{out, o};
              c.field<SequenceOptions>("options", x.opts, y.opts, show_seq);
              c.str("owned by", x.owned_by_table ? x.owned_by_table->str() + "." + quote_ident(x.owned_by_column) : "",
                    y.owned_by_table ? y.owned_by_table->str() + "." + quote_ident(y.owned_by_column) : "");
              c.str("comment", x.comment, y.comment);
            });
  // Columns whose type is a domain, per table (the server casts them in expressions).
  auto domain_columns_of = [&](const Table& t) {
    std::set<std::string> cols;
    for (const auto& c : t.columns) {
      std::string ty = c.type;
      if (ty.size() > 2 && ty.compare(ty.size() - 2, 2, "[]") == 0) continue;
      QualName q = ty.find('.') == std::string::npos ? QualName{"public", ty}
                                                     : QualName{ty.substr(0, ty.find('.')), ty.substr(ty.find('.') + 1)};
      for (const Catalog* cat : {&a, &b}) {
        auto it = cat->types.find(q);
        if (it != cat->types.end() && it->second.kind == TypeKind::Domain) cols.insert(c.name);
      }
    }
    return cols;
  };
  std::map<QualName, std::set<std::string>> domain_cols;
  each_pair(out, a.tables, b.tables, [](const QualName& n, const Table&) { return "table " + n.str(); },
            [&](const std::string& o, const Table& x, const Table& y) {
              auto cols = domain_columns_of(x);
              domain_cols[x.name] = cols;
              compare_table(out, o, x, y, &cols);
            });
  each_pair(out, a.indexes, b.indexes, [](const QualName& n, const Index&) { return "index " + n.str(); },
            [&](const std::string& o, const Index& x, const Index& y) {
              Cmp c{out, o};
              c.str("table", x.table.str(), y.table.str());
              c.flag("unique", x.unique, y.unique);
              c.flag("nulls not distinct", x.nulls_not_distinct, y.nulls_not_distinct);
              c.str("method", x.method, y.method);
              c.list("include", x.include, y.include);
              c.domain_columns = &domain_cols[x.table];
              if (!elems_equal(x.elems, y.elems, c.domain_columns)) c.str("elements", show_elems(x.elems), show_elems(y.elems));
              c.expr("where", x.where, y.where);
              c.str("storage parameters", x.with, y.with);
              c.str("comment", x.comment, y.comment);
            });
  each_pair(out, a.views, b.views, [](const QualName& n, const View& v) { return std::string(v.materialized ? "materialized view " : "view ") + n.str(); },
            [&](const std::string& o, const View& x, const View& y) {
              Cmp c{out, o};
              c.flag("materialized", x.materialized, y.materialized);
              std::set<std::string> dcols;  // domain-typed columns of the relations the view reads
              for (const auto& d : x.deps)
                if (auto it = domain_cols.find(d); it != domain_cols.end()) dcols.insert(it->second.begin(), it->second.end());
              bool same = x.query.canon == y.query.canon ||
                          (!dcols.empty() && strip_column_casts(x.query.canon, dcols) == strip_column_casts(y.query.canon, dcols));
              if (!same) c.str("query", x.query.canon, y.query.canon);
              c.list("columns", x.columns, y.columns);
              c.str("options", x.with, y.with);
              std::vector<std::string> ca, cb;
              for (const auto& [k, v] : x.column_comments) ca.push_back(k + ": " + v);
              for (const auto& [k, v] : y.column_comments) cb.push_back(k + ": " + v);
              c.list("column comments", ca, cb);
              c.str("comment", x.comment, y.comment);
            });
  each_pair(out, a.functions, b.functions, [](const std::string& sig, const Function& f) { return std::string(f.procedure ? "procedure " : "function ") + sig; },
            [&](const std::string& o, const Function& x, const Function& y) {
              Cmp c{out, o};
              std::vector<std::string> aa, ab;
              for (const auto& k : x.args) aa.push_back(k.mode + (k.mode.empty() ? "" : " ") + k.name + " " + k.type + (k.default_expr ? " DEFAULT " + k.default_expr->canon : ""));
              for (const auto& k : y.args) ab.push_back(k.mode + (k.mode.empty() ? "" : " ") + k.name + " " + k.type + (k.default_expr ? " DEFAULT " + k.default_expr->canon : ""));
              c.list("arguments", aa, ab);
              c.str("returns", x.returns, y.returns);
              c.str("language", x.language, y.language);
              auto standard = [](const std::string& b) { return b.rfind("RETURN", 0) == 0 || b.rfind("BEGIN ATOMIC", 0) == 0; };
              bool same_body = x.body == y.body ||
                               (standard(x.body) && standard(y.body) && canon_sql_body(x.body) == canon_sql_body(y.body));
              if (!same_body) c.str("body", "<" + std::to_string(x.body.size()) + " bytes>", "<" + std::to_string(y.body.size()) + " bytes>");
              c.str("volatility", std::string(1, x.volatility), std::string(1, y.volatility));
              c.flag("strict", x.strict, y.strict);
              c.flag("security definer", x.security_definer, y.security_definer);
              c.flag("leakproof", x.leakproof, y.leakproof);
              c.str("parallel", std::string(1, x.parallel), std::string(1, y.parallel));
              c.str("cost", std::to_string(x.cost), std::to_string(y.cost));
              c.str("rows", std::to_string(x.rows), std::to_string(y.rows));
              c.list("config", x.config, y.config);
              c.str("comment", x.comment, y.comment);
            });
  each_pair(out, a.triggers, b.triggers,
            [](const std::pair<QualName, std::string>& k, const Trigger&) { return "trigger " + quote_ident(k.second) + " on " + k.first.str(); },
            [&](const std::string& o, const Trigger& x, const Trigger& y) {
              Cmp c{out, o, &domain_cols[x.table]};
              c.str("timing", x.timing, y.timing);
              c.list("events", x.events, y.events);
              c.list("update columns", x.update_columns, y.update_columns);
              c.flag("for each row", x.for_each_row, y.for_each_row);
              c.expr("when", x.when, y.when);
              c.str("function", x.function.str(), y.function.str());
              c.list("arguments", x.args, y.args);
              c.flag("constraint trigger", x.constraint_trigger, y.constraint_trigger);
              c.flag("deferrable", x.deferrable, y.deferrable);
              c.flag("initially deferred", x.initially_deferred, y.initially_deferred);
              c.str("old table", x.old_table, y.old_table);
              c.str("new table", x.new_table, y.new_table);
              c.str("comment", x.comment, y.comment);
            });
  each_pair(out, a.aggregates, b.aggregates, [](const std::string& sig, const Aggregate&) { return "aggregate " + sig; },
            [&](const std::string& o, const Aggregate& x, const Aggregate& y) {
              Cmp c{out, o};
              auto ch = [](char v) { return std::string(1, v); };
              auto opt = [](const std::optional<std::string>& v) { return v ? "'" + *v + "'" : std::string("NULL"); };
              std::vector<std::string> aa, ab;
              for (const auto& k : x.args) aa.push_back(k.mode + (k.mode.empty() ? "" : " ") + k.name + " " + k.type);
              for (const auto& k : y.args) ab.push_back(k.mode + (k.mode.empty() ? "" : " ") + k.name + " " + k.type);
              c.list("arguments", aa, ab);
              c.str("kind", ch(x.kind), ch(y.kind));
              c.str("direct arguments", std::to_string(x.direct_args), std::to_string(y.direct_args));
              c.str("sfunc", x.sfunc, y.sfunc);
              c.str("stype", x.stype, y.stype);
              c.str("sspace", std::to_string(x.sspace), std::to_string(y.sspace));
              c.str("finalfunc", x.finalfunc, y.finalfunc);
              c.flag("finalfunc_extra", x.finalfunc_extra, y.finalfunc_extra);
              c.str("finalfunc_modify", ch(x.finalfunc_modify), ch(y.finalfunc_modify));
              c.str("combinefunc", x.combinefunc, y.combinefunc);
              c.str("serialfunc", x.serialfunc, y.serialfunc);
              c.str("deserialfunc", x.deserialfunc, y.deserialfunc);
              c.str("initcond", opt(x.initcond), opt(y.initcond));
              c.str("msfunc", x.msfunc, y.msfunc);
              c.str("minvfunc", x.minvfunc, y.minvfunc);
              c.str("mstype", x.mstype, y.mstype);
              c.str("msspace", std::to_string(x.msspace), std::to_string(y.msspace));
              c.str("mfinalfunc", x.mfinalfunc, y.mfinalfunc);
              c.flag("mfinalfunc_extra", x.mfinalfunc_extra, y.mfinalfunc_extra);
              c.str("mfinalfunc_modify", ch(x.mfinalfunc_modify), ch(y.mfinalfunc_modify));
              c.str("minitcond", opt(x.minitcond), opt(y.minitcond));
              c.str("sortop", x.sortop, y.sortop);
              c.str("parallel", ch(x.parallel), ch(y.parallel));
              c.str("comment", x.comment, y.comment);
            });
  each_pair(out, a.event_triggers, b.event_triggers, [](const std::string& n, const EventTrigger&) { return "event trigger " + quote_ident(n); },
            [&](const std::string& o, const EventTrigger& x, const EventTrigger& y) {
              Cmp c{out, o};
              c.str("event", x.event, y.event);
              c.list("tags", x.tags, y.tags);
              c.str("function", x.function.str(), y.function.str());
              c.str("enabled", std::string(1, x.enabled), std::string(1, y.enabled));
              c.str("comment", x.comment, y.comment);
            });
  for (const auto& u : b.unsupported) out.push_back({u, "in the live database but not representable by seam yet"});
  return out;
}

std::string format_differences(const std::vector<Difference>& d, size_t limit) {
  std::string s;
  for (size_t i = 0; i < d.size() && i < limit; i++) s += "  " + d[i].object + ": " + d[i].detail + "\n";
  if (d.size() > limit) s += "  ... and " + std::to_string(d.size() - limit) + " more\n";
  return s;
}

}  // namespace seam::schema
