// Live inspection of tables (columns, constraints, partitioning, inheritance)
// and sequences.
//
// What a child table lists, matching the file loader:
//  * a partition lists every column (a partition has exactly its parent's
//    columns, so the loader copies them from the parent);
//  * an INHERITS child lists only the columns it declares itself
//    (attislocal), as `CREATE TABLE c (extra int) INHERITS (p)` does;
//  * neither lists constraints it inherits (conislocal false, or cloned from
//    the parent's: conparentid set) - they are implied by the parent.
#include <algorithm>
#include <map>

#include "dialects/postgres/inspect_internal.hpp"
#include "schema/canon.hpp"

namespace seam::pg::detail {

namespace {

using schema::QualName;

const char* kSeqCols = "s.seqtypid, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle";

// Reads the seven columns of kSeqCols starting at r[at] (seqtypid, spelled by the caller).
schema::SequenceOptions seq_options(const pqxx::row& r, int at, const std::string& type_name) {
  schema::SequenceOptions o;
  o.type = type_name;
  o.start = r[at + 1].as<int64_t>();
  o.increment = r[at + 2].as<int64_t>();
  o.min = r[at + 3].as<int64_t>();
  o.max = r[at + 4].as<int64_t>();
  o.cache = r[at + 5].as<int64_t>();
  o.cycle = r[at + 6].as<bool>();
  return o;
}

void read_tables(Ctx& ctx, std::map<unsigned, QualName>& by_oid) {
  auto rows = ctx.query(R"(
    SELECT c.oid, n.nspname, c.relname, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
           c.reloptions, tc.reloptions,
           CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
           CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
           cd.description,
           -- typed tables, access methods and tablespaces are reported as unsupported
           c.reloftype <> 0,
           CASE c.relreplident WHEN 'f' THEN 'full'
                               WHEN 'n' THEN CASE WHEN c.relkind = 'r' THEN 'nothing' END
                               WHEN 'i' THEN (SELECT 'index ' || ri.relname FROM pg_index x
                                              JOIN pg_class ri ON ri.oid = x.indexrelid
                                              WHERE x.indrelid = c.oid AND x.indisreplident) END,
           coalesce(tam.amname, 'heap') <> 'heap', c.reltablespace <> 0
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_am tam ON tam.oid = c.relam
    LEFT JOIN pg_class tc ON tc.oid = c.reltoastrelid)" + comment_join("cd", "pg_class", "c.oid") + R"(
    WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1::oid[])
      AND NOT )" + ext_member("'pg_class'::regclass", "c.oid"));
  for (const auto& r : rows) {
    schema::Table t;
    t.name = {r[1].as<std::string>(), r[2].as<std::string>()};
    t.persistence = r[3].as<std::string>()[0];
    t.rls_enabled = r[4].as<bool>();
    t.rls_forced = r[5].as<bool>();
    std::vector<std::string> opts = text_array(r[6]);
    for (auto& o : text_array(r[7])) opts.push_back("toast." + o);
    t.with = with_options(opts);
    try {
      if (!r[8].is_null()) t.partition_by = schema::canon_partition_key(r[8].as<std::string>());
      if (!r[9].is_null()) t.partition_bound = schema::canon_partition_bound(r[9].as<std::string>());
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot canonicalise the partitioning of table " + t.name.str() + ": " + e.what());
    }
    t.comment = str(r[10]);
    std::string what = "table " + t.name.str();
    if (r[11].as<bool>()) ctx.unsupported("OF type of " + what + " (a typed table)");
    t.replica_identity = str(r[12]);
    if (r[13].as<bool>()) ctx.unsupported("table access method of " + what);
    if (r[14].as<bool>()) ctx.unsupported("tablespace of " + what);
    by_oid[r[0].as<unsigned>()] = t.name;
    ctx.cat.tables[t.name] = std::move(t);
  }

  // Parents: the partitioned table of a partition, or INHERITS parents in order.
  for (const auto& r : ctx.query(R"(
    SELECT i.inhrelid, pn.nspname, p.relname, c.relispartition
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace pn ON pn.oid = p.relnamespace
    WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1::oid[])
    ORDER BY i.inhrelid, i.inhseqno)")) {
    auto it = by_oid.find(r[0].as<unsigned>());
    if (it == by_oid.end()) continue;
    auto& t = ctx.cat.tables[it->second];
    QualName parent{r[1].as<std::string>(), r[2].as<std::string>()};
    if (r[3].as<bool>())
      t.partition_of = parent;
    else
      t.inherits.push_back(parent);
  }
}

void read_columns(Ctx& ctx, const std::map<unsigned, QualName>& by_oid) {
  auto rows = ctx.query(std::string(R"(
    SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
           a.attidentity, a.attgenerated,
           CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname END,
           con.nspname,
           pg_get_expr(d.adbin, d.adrelid),
           cd.description,
           sc.relname, format_type(s.seqtypid, NULL), )") + kSeqCols + R"(,
           a.attstorage <> t.typstorage, coalesce(a.attstattarget::int, -1) <> -1, )" +
                        (ctx.version >= 140000 ? "a.attcompression::text <> ''" : "false") + R"(
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation
    LEFT JOIN pg_namespace con ON con.oid = co.collnamespace
    -- the identity sequence; the lateral's gate skips the lookup for other columns
    LEFT JOIN LATERAL (
      SELECT dep.objid FROM pg_depend dep
      WHERE a.attidentity <> '' AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = a.attrelid
        AND dep.refobjsubid = a.attnum AND dep.deptype = 'i' AND dep.classid = 'pg_class'::regclass) dep ON true
    LEFT JOIN pg_class sc ON sc.oid = dep.objid AND sc.relkind = 'S'
    LEFT JOIN pg_sequence s ON s.seqrelid = sc.oid)" +
                        comment_join("cd", "pg_class", "a.attrelid", "a.attnum") + R"(
    WHERE c.relkind IN ('r', 'p') AND c.relnamespace = ANY($1::oid[])
      AND a.attnum > 0 AND NOT a.attisdropped AND (a.attislocal OR c.relispartition)
    ORDER BY a.attrelid, a.attnum)");
  for (const auto& r : rows) {
    auto it = by_oid.find(r[0].as<unsigned>());
    if (it == by_oid.end()) continue;
    auto& t = ctx.cat.tables[it->second];
    schema::Column col;
    col.name = r[1].as<std::string>();
    col.type = r[2].as<std::string>();
    col.not_null = r[3].as<bool>();
    std::string identity = str(r[4]), generated = str(r[5]);
    if (!r[6].is_null()) col.collation = other_name(str(r[7]), r[6].as<std::string>());
    std::string what = "column " + col.name + " of " + t.name.str();
    if (!r[8].is_null()) {
      if (generated.empty())
        col.default_expr = expr_of(r[8].as<std::string>(), "the default of " + what);
      else
        col.generated = expr_of(r[8].as<std::string>(), "the generation expression of " + what);
    }
    if (generated == "v") ctx.unsupported("virtual generated " + what + " (read as STORED)");
    col.comment = str(r[9]);
    if (r[19].as<bool>()) ctx.unsupported("non-default STORAGE of " + what);
    if (r[21].as<bool>()) ctx.unsupported("COMPRESSION setting of " + what);
    if (r[20].as<bool>()) ctx.unsupported("STATISTICS target of " + what);
    // A partition's identity column (PostgreSQL 17+) draws from the
    // partitioned table's sequence: the parent declares it, not the partition.
    if (!identity.empty() && r[10].is_null() && t.partition_of) identity.clear();
    if (!identity.empty()) {
      col.identity = identity[0];
      if (!r[10].is_null()) {
        col.identity_seq_name = r[10].as<std::string>();
        col.identity_seq = seq_options(r, 12, r[11].as<std::string>());
      }
    }
    t.columns.push_back(std::move(col));
  }
}

void read_constraints(Ctx& ctx, const std::map<unsigned, QualName>& by_oid) {
  const bool pg15 = ctx.version >= 150000, pg18 = ctx.version >= 180000;
  auto rows = ctx.query(std::string(R"(
    SELECT con.conrelid, con.conname, con.contype, con.condeferrable, con.condeferred,
           con.convalidated, con.connoinherit,
           con.conkey, fn.nspname, f.relname, con.confkey,
           con.confupdtype, con.confdeltype, con.confmatchtype,
           CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END,
           con.conindid, am.amname, )") +
                        (pg15 ? "coalesce(i.indnullsnotdistinct, false)" : "false") + R"(,
           pg_get_expr(i.indpred, i.indrelid),
           CASE WHEN con.contype = 'x' THEN
             (SELECT array_agg(CASE WHEN opn.nspname IN ('pg_catalog', 'public') THEN o.oprname
                                    ELSE quote_ident(opn.nspname) || '.' || o.oprname END ORDER BY x.n)
                FROM unnest(con.conexclop) WITH ORDINALITY x(op, n)
                JOIN pg_operator o ON o.oid = x.op
                JOIN pg_namespace opn ON opn.oid = o.oprnamespace) END,
           cd.description, )" +
                        (pg15 ? "con.confdelsetcols IS NOT NULL" : "false") + ", " +
                        (pg18 ? "NOT con.conenforced, con.conperiod" : "false, false") + R"(, con.confrelid
    FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    LEFT JOIN pg_class f ON f.oid = con.confrelid
    LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace
    LEFT JOIN pg_index i ON i.indexrelid = con.conindid AND con.contype IN ('p', 'u', 'x')
    LEFT JOIN pg_class ic ON ic.oid = i.indexrelid
    LEFT JOIN pg_am am ON am.oid = ic.relam)" +
                        comment_join("cd", "pg_constraint", "con.oid") + R"(
    WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND c.relkind IN ('r', 'p')
      AND c.relnamespace = ANY($1::oid[]) AND con.conislocal AND con.conparentid = 0)");
  // Column numbers to names, for the tables constraints are on and refer to
  // (one scan instead of a lookup per constraint and column).
  std::map<std::pair<unsigned, int>, std::string> attname;
  for (const auto& r : ctx.query(R"(
    SELECT a.attrelid, a.attnum, a.attname FROM pg_attribute a
    WHERE a.attnum > 0 AND a.attrelid IN (
      SELECT con.conrelid FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
      WHERE c.relnamespace = ANY($1::oid[]) AND con.contype IN ('p', 'u', 'f', 'x')
      UNION
      SELECT con.confrelid FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
      WHERE c.relnamespace = ANY($1::oid[]) AND con.contype = 'f'))"))
    attname[{r[0].as<unsigned>(), r[1].as<int>()}] = r[2].as<std::string>();
  auto names = [&](unsigned rel, const pqxx::field& f) {
    std::vector<std::string> out;
    for (const auto& n : text_array(f)) {
      auto it = attname.find({rel, std::stoi(n)});
      if (it != attname.end()) out.push_back(it->second);  // 0: an expression element
    }
    return out;
  };

  for (const auto& r : rows) {
    auto it = by_oid.find(r[0].as<unsigned>());
    if (it == by_oid.end()) continue;
    auto& t = ctx.cat.tables[it->second];
    schema::Constraint k;
    k.name = r[1].as<std::string>();
    std::string what = "constraint " + k.name + " on " + t.name.str();
    switch (r[2].as<std::string>()[0]) {
      case 'p': k.kind = schema::ConstraintKind::PrimaryKey; break;
      case 'u': k.kind = schema::ConstraintKind::Unique; break;
      case 'c': k.kind = schema::ConstraintKind::Check; break;
      case 'f': k.kind = schema::ConstraintKind::ForeignKey; break;
      default: k.kind = schema::ConstraintKind::Exclude; break;
    }
    k.deferrable = r[3].as<bool>();
    k.initially_deferred = r[4].as<bool>();
    k.not_valid = !r[5].as<bool>();
    // connoinherit is also set on index-backed and foreign-key constraints,
    // which are never inherited anyway; NO INHERIT is a CHECK property.
    k.no_inherit = k.kind == schema::ConstraintKind::Check && r[6].as<bool>();
    // conkey: the constrained columns; for EXCLUDE, its plain-column elements.
    if (k.kind != schema::ConstraintKind::Check) k.columns = names(r[0].as<unsigned>(), r[7]);
    if (k.kind == schema::ConstraintKind::ForeignKey) {
      k.ref_table = {str(r[8]), str(r[9])};
      k.ref_columns = names(r[24].as<unsigned>(), r[10]);
      k.on_update = r[11].as<std::string>()[0];
      k.on_delete = r[12].as<std::string>()[0];
      k.match = r[13].as<std::string>()[0];
      if (r[21].as<bool>()) ctx.unsupported("column list of ON DELETE SET NULL/DEFAULT in " + what);
    }
    if (k.kind == schema::ConstraintKind::Check) k.check = expr_of(r[14].as<std::string>(), "the CHECK of " + what);
    unsigned indexrelid = r[15].is_null() ? 0 : r[15].as<unsigned>();
    if (indexrelid && k.kind != schema::ConstraintKind::ForeignKey && k.kind != schema::ConstraintKind::Check) {
      const IndexParts& parts = index_parts(ctx, indexrelid);
      k.include = parts.include;
      k.nulls_not_distinct = r[17].as<bool>();
      if (k.kind == schema::ConstraintKind::Exclude) {
        k.method = str(r[16]);
        k.elems = parts.elems;
        auto ops = text_array(r[19]);
        for (size_t e = 0; e < k.elems.size() && e < ops.size(); ++e) k.elems[e].exclude_op = ops[e];
        if (!r[18].is_null()) k.where = expr_of(r[18].as<std::string>(), "the WHERE of " + what);
      }
    }
    k.comment = str(r[20]);
    if (r[22].as<bool>()) ctx.unsupported("NOT ENFORCED " + what);
    if (r[23].as<bool>()) ctx.unsupported("WITHOUT OVERLAPS / PERIOD in " + what);
    t.constraints.push_back(std::move(k));
  }
  for (auto& [name, t] : ctx.cat.tables)
    std::sort(t.constraints.begin(), t.constraints.end(),
              [](const schema::Constraint& a, const schema::Constraint& b) { return a.name < b.name; });
}

// Row-level security policies; roles by name ("public" for PUBLIC), sorted.
void read_policies(Ctx& ctx, const std::map<unsigned, QualName>& by_oid) {
  for (const auto& r : ctx.query(R"(
    SELECT p.polrelid, p.polname, p.polpermissive, p.polcmd,
           (SELECT array_agg(CASE WHEN x.r = 0 THEN 'public' ELSE a.rolname END)
              FROM unnest(p.polroles) x(r) LEFT JOIN pg_roles a ON a.oid = x.r),
           pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
           obj_description(p.oid, 'pg_policy')
    FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
    WHERE c.relnamespace = ANY($1::oid[]))")) {
    auto it = by_oid.find(r[0].as<unsigned>());
    if (it == by_oid.end()) continue;
    auto& t = ctx.cat.tables[it->second];
    schema::Policy p;
    p.name = r[1].as<std::string>();
    std::string what = "policy " + p.name + " on " + t.name.str();
    p.permissive = r[2].as<bool>();
    switch (r[3].as<std::string>()[0]) {
      case 'r': p.command = "SELECT"; break;
      case 'a': p.command = "INSERT"; break;
      case 'w': p.command = "UPDATE"; break;
      case 'd': p.command = "DELETE"; break;
      default: p.command = "ALL"; break;
    }
    p.roles = text_array(r[4]);
    std::sort(p.roles.begin(), p.roles.end());
    if (!r[5].is_null()) p.using_expr = expr_of(r[5].as<std::string>(), "the USING expression of " + what);
    if (!r[6].is_null()) p.check_expr = expr_of(r[6].as<std::string>(), "the WITH CHECK expression of " + what);
    p.comment = str(r[7]);
    t.policies.push_back(std::move(p));
  }
  for (auto& [name, t] : ctx.cat.tables)
    std::sort(t.policies.begin(), t.policies.end(),
              [](const schema::Policy& a, const schema::Policy& b) { return a.name < b.name; });
}

// Objects next to tables that the model has no place for yet.
void read_unsupported(Ctx& ctx) {
  for (const auto& r : ctx.query(R"(
    SELECT 'foreign table ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'f' AND c.relnamespace = ANY($1::oid[])
      AND NOT )" + ext_member("'pg_class'::regclass", "c.oid") + R"(
    UNION ALL
    SELECT 'rule ' || quote_ident(rw.rulename) || ' on ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
    FROM pg_rewrite rw JOIN pg_class c ON c.oid = rw.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE rw.rulename <> '_RETURN' AND c.relnamespace = ANY($1::oid[])
      AND NOT )" + ext_member("'pg_class'::regclass", "c.oid")))
    ctx.unsupported(r[0].as<std::string>());

  // Schema objects of kinds the model has no type for. Catalog and column
  // names are constants here; user names only come back as query results.
  struct Kind {
    const char *label, *catalog, *name_sql, *nsp_col;  // the catalog's alias is x
  };
  static const Kind kinds[] = {
      {"statistics object", "pg_statistic_ext", "quote_ident(n.nspname) || '.' || quote_ident(x.stxname)", "stxnamespace"},
      {"collation", "pg_collation", "quote_ident(n.nspname) || '.' || quote_ident(x.collname)", "collnamespace"},
      {"operator", "pg_operator", "x.oid::regoperator::text", "oprnamespace"},
      {"operator class", "pg_opclass", "quote_ident(n.nspname) || '.' || quote_ident(x.opcname)", "opcnamespace"},
      {"text search configuration", "pg_ts_config", "x.oid::regconfig::text", "cfgnamespace"},
      {"text search dictionary", "pg_ts_dict", "x.oid::regdictionary::text", "dictnamespace"},
      {"conversion", "pg_conversion", "quote_ident(n.nspname) || '.' || quote_ident(x.conname)", "connamespace"},
  };
  std::string sql;
  for (const auto& k : kinds) {
    sql += std::string(sql.empty() ? "" : " UNION ALL ") + "SELECT '" + k.label + " ' || " + k.name_sql +
           " FROM pg_catalog." + k.catalog + " x JOIN pg_namespace n ON n.oid = x." + k.nsp_col +
           " WHERE x." + k.nsp_col + " = ANY($1::oid[]) AND NOT " +
           ext_member(std::string("'pg_catalog.") + k.catalog + "'::regclass", "x.oid");
  }
  // (Event triggers: inspect_event_triggers.cpp. Publications, subscriptions
  // and foreign servers are per-environment infrastructure seam does not
  // manage at all, like roles and grants.)
  for (const auto& r : ctx.query(sql))
    ctx.unsupported(r[0].as<std::string>());
}

}  // namespace

void inspect_tables(Ctx& ctx) {
  std::map<unsigned, QualName> by_oid;
  read_tables(ctx, by_oid);
  read_columns(ctx, by_oid);
  read_constraints(ctx, by_oid);
  read_policies(ctx, by_oid);
  read_unsupported(ctx);
}

void inspect_sequences(Ctx& ctx) {
  // Identity sequences belong to their column (Column::identity_seq); a
  // sequence OWNED BY a column (serial) is an ordinary sequence with owned_by.
  auto rows = ctx.query(std::string(R"(
    SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL), )") + kSeqCols + R"(,
           own.nspname, own.relname, own.attname, obj_description(c.oid, 'pg_class')
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_sequence s ON s.seqrelid = c.oid
    LEFT JOIN LATERAL (
      SELECT tn.nspname, t.relname, a.attname
      FROM pg_depend d
      JOIN pg_class t ON t.oid = d.refobjid
      JOIN pg_namespace tn ON tn.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a'
        AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
      LIMIT 1) own ON true
    WHERE c.relkind = 'S' AND c.relnamespace = ANY($1::oid[])
      AND NOT )" + ext_member("'pg_class'::regclass", "c.oid") + R"(
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'i'))");
  for (const auto& r : rows) {
    schema::Sequence s;
    s.name = {r[0].as<std::string>(), r[1].as<std::string>()};
    s.opts = seq_options(r, 3, r[2].as<std::string>());
    if (!r[10].is_null()) {
      s.owned_by_table = QualName{r[10].as<std::string>(), r[11].as<std::string>()};
      s.owned_by_column = r[12].as<std::string>();
    }
    s.comment = str(r[13]);
    ctx.cat.sequences[s.name] = std::move(s);
  }
}

}  // namespace seam::pg::detail
