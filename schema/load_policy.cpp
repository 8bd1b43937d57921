// CREATE POLICY / ALTER POLICY.
#include <algorithm>

#include "schema/load_ctx.hpp"

namespace seam::schema {

namespace {
std::vector<std::string> role_list(PgQuery__Node** roles, size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; i++) {
    const PgQuery__RoleSpec* r = roles[i]->role_spec;
    switch (r->roletype) {
      case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_PUBLIC: out.push_back("public"); break;
      case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CSTRING: out.push_back(r->rolename ? r->rolename : ""); break;
      case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_CURRENT_USER: out.push_back("CURRENT_USER"); break;
      case PG_QUERY__ROLE_SPEC_TYPE__ROLESPEC_SESSION_USER: out.push_back("SESSION_USER"); break;
      default: out.push_back("CURRENT_ROLE"); break;
    }
  }
  std::sort(out.begin(), out.end());
  // TO role, PUBLIC is stored as PUBLIC alone (it already includes every role)
  if (out.empty() || std::find(out.begin(), out.end(), "public") != out.end()) out = {"public"};
  return out;
}
}  // namespace

void Loader::create_policy(const PgQuery__CreatePolicyStmt* s) {
  Policy p;
  p.name = s->policy_name ? s->policy_name : "";
  p.pos = pos(-1);
  p.notes = stmt_annotations();
  QualName tn = qualify(s->table);
  Table* t = cat.find_table(tn);
  if (!t) fail(s->table->location, "policy " + quote_ident(p.name) + " is on " + tn.str() + ", which is not defined in the desired state");
  for (const auto& o : t->policies)
    if (o.name == p.name) fail(-1, "policy " + quote_ident(p.name) + " for table " + tn.str() + " is already defined at " + o.pos.str());
  p.permissive = s->permissive;
  std::string cmd = s->cmd_name ? s->cmd_name : "all";
  for (auto& c : cmd) c = static_cast<char>(toupper(c));
  p.command = cmd;
  for (const auto& r : role_list(s->roles, s->n_roles))
    if (r == "CURRENT_USER" || r == "SESSION_USER" || r == "CURRENT_ROLE")
      unsupported(-1, "policies for " + r + " depend on who applies the schema; name the role instead");
  p.roles = role_list(s->roles, s->n_roles);
  if (s->qual) p.using_expr = expr(s->qual);
  if (s->with_check) p.check_expr = expr(s->with_check);
  t->policies.push_back(std::move(p));
  std::sort(t->policies.begin(), t->policies.end(), [](const Policy& a, const Policy& b) { return a.name < b.name; });
}

void Loader::alter_policy(const PgQuery__AlterPolicyStmt* s) {
  QualName tn = qualify(s->table);
  Table* t = cat.find_table(tn);
  std::string name = s->policy_name ? s->policy_name : "";
  Policy* p = nullptr;
  if (t)
    for (auto& o : t->policies)
      if (o.name == name) p = &o;
  if (!p) fail(-1, "ALTER POLICY " + quote_ident(name) + " on " + tn.str() + ": no such policy in the desired state");
  if (s->n_roles) p->roles = role_list(s->roles, s->n_roles);
  if (s->qual) p->using_expr = expr(s->qual);
  if (s->with_check) p->check_expr = expr(s->with_check);
}

}  // namespace seam::schema
