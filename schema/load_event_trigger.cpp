// CREATE / ALTER EVENT TRIGGER, COMMENT ON / DROP EVENT TRIGGER, and the check
// after the last file that each event trigger's function exists.
//
// Tags are stored as the server stores them in pg_event_trigger.evttags:
// upper-cased (filter_list_to_array), here also sorted because their order
// means nothing.
#include <algorithm>

#include "schema/load_ctx.hpp"

namespace seam::schema {

void Loader::create_event_trigger(const PgQuery__CreateEventTrigStmt* s) {
  EventTrigger e;
  e.name = s->trigname ? s->trigname : "";
  e.event = s->eventname ? s->eventname : "";
  e.pos = pos(-1);
  e.notes = stmt_annotations();
  for (size_t i = 0; i < s->n_whenclause; i++) {
    const PgQuery__DefElem* d = s->whenclause[i]->def_elem;
    std::string var = d->defname ? d->defname : "";
    if (var != "tag") fail(d->location, "unrecognized filter variable \"" + var + "\"");
    if (!e.tags.empty()) fail(d->location, "filter variable \"tag\" specified more than once");
    if (!d->arg || d->arg->node_case != PG_QUERY__NODE__NODE_LIST) fail(d->location, "WHEN TAG IN needs a list of tags");
    for (size_t j = 0; j < d->arg->list->n_items; j++) {
      std::string tag = node_string(d->arg->list->items[j]);
      for (auto& c : tag) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
      e.tags.push_back(tag);
    }
  }
  std::sort(e.tags.begin(), e.tags.end());
  auto fn = pgq::names_of(s->funcname, s->n_funcname);
  if (fn.empty() || fn.size() > 2) fail(-1, "improper function name for event trigger " + quote_ident(e.name));
  e.function = fn.size() == 2 ? QualName{fn[0], fn[1]} : QualName{"", fn[0]};  // resolved in resolve_event_triggers()
  evt_search_path[e.name] = search_path;
  if (auto it = cat.event_triggers.find(e.name); it != cat.event_triggers.end())
    fail(-1, "event trigger " + quote_ident(e.name) + " is already defined at " + it->second.pos.str());
  cat.event_triggers[e.name] = std::move(e);
}

void Loader::alter_event_trigger(const PgQuery__AlterEventTrigStmt* s) {
  std::string name = s->trigname ? s->trigname : "";
  auto it = cat.event_triggers.find(name);
  if (it == cat.event_triggers.end())
    fail(-1, "ALTER EVENT TRIGGER " + quote_ident(name) + ": the event trigger is not defined in the desired state");
  char c = s->tgenabled && *s->tgenabled ? s->tgenabled[0] : 'O';
  if (c != 'O' && c != 'D' && c != 'R' && c != 'A') fail(-1, "unknown event trigger state '" + std::string(1, c) + "'");
  it->second.enabled = c;
}

void Loader::comment_event_trigger(const std::string& name, const std::string& text) {
  auto it = cat.event_triggers.find(name);
  if (it == cat.event_triggers.end())
    fail(-1, "COMMENT ON EVENT TRIGGER " + quote_ident(name) + ": it is not defined in the desired state");
  it->second.comment = text;
}

bool Loader::drop_event_trigger(const std::string& name) {
  evt_search_path.erase(name);
  return cat.event_triggers.erase(name) > 0;
}

void Loader::resolve_event_triggers() {
  for (auto& [name, e] : cat.event_triggers) {
    std::vector<std::string> path = evt_search_path.count(name) ? evt_search_path[name] : search_path;
    auto defined = [&](const QualName& q) {
      for (const auto& [sig, f] : cat.functions)
        if (f.name == q && f.args.empty()) return true;
      return false;
    };
    if (e.function.schema.empty()) {
      for (const auto& s : path)
        if (defined({s, e.function.name})) {
          e.function.schema = s;
          break;
        }
      // Not in the desired state: a function of pg_catalog or of an extension.
      if (e.function.schema.empty()) e.function.schema = "pg_catalog";
    }
    bool ok = e.function.schema == "pg_catalog" || defined(e.function) || !cat.extensions.empty();
    if (!ok)
      throw InputError(e.pos.str() + ": event trigger " + quote_ident(name) + " executes " + e.function.str() +
                       "(), which is not defined in the desired state");
  }
}

}  // namespace seam::schema
