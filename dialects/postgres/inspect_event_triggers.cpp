// Live inspection of event triggers (pg_event_trigger). They are
// database-wide, so read whatever the schema filter; those an extension
// creates go with the extension.
#include <algorithm>

#include "dialects/postgres/inspect_internal.hpp"

namespace seam::pg::detail {

void inspect_event_triggers(Ctx& ctx) {
  auto rows = ctx.tx.exec(
      "SELECT e.evtname, e.evtevent, fn.nspname, f.proname, e.evtenabled, e.evttags, "
      "obj_description(e.oid, 'pg_event_trigger') "
      "FROM pg_catalog.pg_event_trigger e JOIN pg_catalog.pg_proc f ON f.oid = e.evtfoid "
      "JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace "
      "WHERE NOT " + ext_member("'pg_event_trigger'::regclass", "e.oid"));
  for (const auto& r : rows) {
    schema::EventTrigger e;
    e.name = r[0].as<std::string>();
    e.event = r[1].as<std::string>();
    e.function = {r[2].as<std::string>(), r[3].as<std::string>()};
    e.enabled = r[4].as<std::string>()[0];
    e.tags = text_array(r[5]);
    std::sort(e.tags.begin(), e.tags.end());
    e.comment = str(r[6]);
    ctx.cat.event_triggers[e.name] = std::move(e);
  }
}

}  // namespace seam::pg::detail
