// Live inspection of user triggers (not the internal ones behind foreign keys,
// and not the clones a partitioned table's trigger puts on its partitions).
#include <map>

#include "dialects/postgres/inspect_internal.hpp"

namespace seam::pg::detail {

namespace {

// tgargs: the arguments as NUL-terminated strings, fetched hex-encoded.
std::vector<std::string> trigger_args(const std::string& hex, int nargs) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  std::vector<std::string> out;
  size_t start = 0;
  for (int k = 0; k < nargs && start <= bytes.size(); ++k) {
    size_t nul = bytes.find('\0', start);
    if (nul == std::string::npos) nul = bytes.size();
    out.push_back(bytes.substr(start, nul - start));
    start = nul + 1;
  }
  return out;
}

// The WHEN condition as pg_get_triggerdef prints it: "... FOR EACH ROW WHEN (cond) EXECUTE ...".
std::string when_clause(const std::string& def) {
  size_t each = find_unquoted(def, " FOR EACH ");
  size_t when = each == std::string::npos ? each : find_unquoted(def, " WHEN (", each);
  if (when == std::string::npos) return "";
  size_t open = when + 6;
  size_t close = matching_paren(def, open);
  if (close == std::string::npos) return "";
  return def.substr(open + 1, close - open - 1);
}

}  // namespace

void inspect_triggers(Ctx& ctx) {
  // Trigger types (tgtype bits): ROW 1, BEFORE 2, INSERT 4, DELETE 8,
  // UPDATE 16, TRUNCATE 32, INSTEAD 64.
  auto rows = ctx.query(std::string(R"(
    SELECT n.nspname, c.relname, tg.tgname, tg.tgtype,
           (SELECT array_agg(a.attname ORDER BY k.n)
              FROM unnest(tg.tgattr::int2[]) WITH ORDINALITY k(attnum, n)
              JOIN pg_attribute a ON a.attrelid = tg.tgrelid AND a.attnum = k.attnum),
           CASE WHEN tg.tgqual IS NOT NULL THEN pg_get_triggerdef(tg.oid, false) END,
           fn.nspname, f.proname, tg.tgnargs, encode(tg.tgargs, 'hex'),
           tg.tgconstraint <> 0, tg.tgdeferrable, tg.tginitdeferred, tg.tgoldtable, tg.tgnewtable,
           obj_description(tg.oid, 'pg_trigger'), tg.tgenabled
    FROM pg_trigger tg
    JOIN pg_class c ON c.oid = tg.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_proc f ON f.oid = tg.tgfoid
    JOIN pg_namespace fn ON fn.oid = f.pronamespace
    WHERE NOT tg.tgisinternal AND c.relnamespace = ANY($1::oid[])
      AND NOT )") + ext_member("'pg_class'::regclass", "c.oid") +
                        (ctx.version >= 130000 ? " AND tg.tgparentid = 0" : ""));
  for (const auto& r : rows) {
    schema::Trigger t;
    t.table = {r[0].as<std::string>(), r[1].as<std::string>()};
    t.name = r[2].as<std::string>();
    int type = r[3].as<int>();
    t.for_each_row = type & 1;
    t.timing = (type & 64) ? "INSTEAD OF" : (type & 2) ? "BEFORE" : "AFTER";
    if (type & 4) t.events.push_back("INSERT");
    if (type & 16) t.events.push_back("UPDATE");
    if (type & 8) t.events.push_back("DELETE");
    if (type & 32) t.events.push_back("TRUNCATE");
    t.update_columns = text_array(r[4]);
    std::string what = "trigger " + t.name + " on " + t.table.str();
    if (!r[5].is_null()) {
      std::string cond = when_clause(r[5].as<std::string>());
      if (cond.empty()) throw std::runtime_error("cannot find the WHEN condition of " + what + " in: " + r[5].as<std::string>());
      t.when = expr_of(cond, "the WHEN condition of " + what);
    }
    t.function = {r[6].as<std::string>(), r[7].as<std::string>()};
    t.args = trigger_args(str(r[9]), r[8].as<int>());
    t.constraint_trigger = r[10].as<bool>();
    t.deferrable = r[11].as<bool>();
    t.initially_deferred = r[12].as<bool>();
    t.old_table = str(r[13]);
    t.new_table = str(r[14]);
    t.comment = str(r[15]);
    if (str(r[16]) != "O") ctx.unsupported("enable state '" + str(r[16]) + "' of " + what + " (read as ENABLE)");
    ctx.cat.triggers[{t.table, t.name}] = std::move(t);
  }
}

}  // namespace seam::pg::detail
