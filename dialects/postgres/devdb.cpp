#include "dialects/postgres/devdb.hpp"

#include <atomic>
#include <chrono>
#include <pqxx/pqxx>
#include <unistd.h>

#include "dialects/postgres/conn.hpp"
#include "dialects/postgres/inspect.hpp"
#include "schema/canon.hpp"
#include "schema/errors.hpp"

namespace seam::pg {

namespace {

std::string scratch_name() {
  static std::atomic<int> n{0};
  auto t = std::chrono::steady_clock::now().time_since_epoch().count();
  return "seam_dev_" + std::to_string(getpid()) + "_" + std::to_string(t % 1000000) + "_" +
         std::to_string(n++);
}

// The same server, another database: swap the path of a URL, or add dbname=
// to a keyword/value conninfo.
std::string with_database(const std::string& url, const std::string& db) {
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    size_t scheme = url.find("://") + 3;
    size_t slash = url.find('/', scheme);
    size_t q = url.find('?', scheme);
    std::string head = url.substr(0, slash == std::string::npos ? (q == std::string::npos ? url.size() : q) : slash);
    std::string tail = q == std::string::npos ? "" : url.substr(q);
    return head + "/" + db + tail;
  }
  return url + " dbname=" + db;
}

// Server error position (1-based, in the statement) -> file position.
schema::SourcePos error_pos(const schema::Statement& st, const pqxx::sql_error& e) {
  (void)e;
  return st.pos();
}

// Roles are cluster-wide and not managed by seam (the offline loader skips
// them too); running CREATE ROLE in a scratch database would change the
// cluster, or fail because the role exists.
bool is_role_statement(const std::string& sql) {
  std::string head;
  for (char c : sql.substr(0, 40)) head += static_cast<char>(toupper(static_cast<unsigned char>(c)));
  for (const char* p : {"CREATE ROLE", "CREATE USER", "CREATE GROUP", "ALTER ROLE", "ALTER USER", "ALTER GROUP",
                        "DROP ROLE", "DROP USER", "DROP GROUP"})
    if (head.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

schema::Catalog load_via_dev(const std::vector<schema::SqlFile>& files, const std::string& admin_url,
                             const DevOptions& opts) {
  auto admin = connect(admin_url);
  std::string name = scratch_name();
  {
    pqxx::nontransaction tx(*admin);
    tx.exec("CREATE DATABASE " + schema::quote_ident(name));
  }
  struct Dropper {
    pqxx::connection& c;
    std::string db;
    bool keep;
    ~Dropper() {
      if (keep) return;
      try {
        pqxx::nontransaction tx(c);
        tx.exec("DROP DATABASE IF EXISTS " + schema::quote_ident(db) + " WITH (FORCE)");
      } catch (...) {
      }
    }
  } dropper{*admin, name, opts.keep};

  schema::Catalog cat;
  {
    auto conn = connect(with_database(admin_url, name));
    for (const auto& f : files) {
      {
        pqxx::nontransaction reset(*conn);
        reset.exec("RESET ALL");
      }
      for (const auto& st : schema::split_statements(f)) {
        if (is_role_statement(st.text())) continue;
        try {
          pqxx::nontransaction tx(*conn);
          tx.exec(st.text());
        } catch (const pqxx::sql_error& e) {
          std::string msg = e.what();
          while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
          throw InputError(error_pos(st, e).str() + ": the dev database rejected this statement: " + msg);
        }
      }
    }
    cat = inspect(*conn);
  }
  cat.source = "desired state via dev database";
  return cat;
}

}  // namespace seam::pg
