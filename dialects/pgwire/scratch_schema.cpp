#include "dialects/pgwire/scratch_schema.hpp"

#include <cstdio>
#include <random>
#include <stdexcept>

#include <pqxx/pqxx>

#include "dialects/postgres/conn.hpp"
#include "schema/canon.hpp"

namespace seam::pgwire {

namespace {

std::string random_hex8() {
  std::random_device rd;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
  return buf;
}

// The hint as an identifier piece: lowercase [a-z0-9_], at most 40
// characters, so the whole name stays below NAMEDATALEN (63) and needs no quotes.
std::string clean(const std::string& hint) {
  std::string out;
  for (char c : hint) {
    if (out.size() == 40) break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  return out;
}

std::string first_line(const std::string& s) {
  std::string l = s.substr(0, s.find('\n'));
  if (l.rfind("ERROR:", 0) == 0) l = l.substr(6);
  size_t b = l.find_first_not_of(' ');
  return b == std::string::npos ? l : l.substr(b);
}

}  // namespace

ScratchSchema::ScratchSchema(std::string url, const std::string& hint) : url_(std::move(url)) {
  std::string h = clean(hint);
  name_ = "seam_verify_" + (h.empty() ? "" : h + "_") + random_hex8();
  auto c = pg::connect(url_);
  try {
    pqxx::nontransaction n(*c);
    n.exec("CREATE SCHEMA " + schema::quote_ident(name_));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot create the scratch schema " + name_ + ": " +
                             first_line(e.what()) +
                             " (seam compat verify needs CREATE on the database)");
  }
}

ScratchSchema::~ScratchSchema() {
  if (dropped_) return;
  try {
    drop();
  } catch (...) {
    // Reported by an explicit drop(); here another error is already on its way.
  }
}

void ScratchSchema::drop() {
  dropped_ = true;  // one attempt: a failing drop is reported once, not retried in the destructor
  try {
    auto c = pg::connect(url_);
    pqxx::nontransaction n(*c);
    n.exec("DROP SCHEMA IF EXISTS " + schema::quote_ident(name_) + " CASCADE");
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot drop the scratch schema " + name_ + ": " +
                             first_line(e.what()) + "; drop it by hand (DROP SCHEMA " +
                             schema::quote_ident(name_) + " CASCADE)");
  }
}

}  // namespace seam::pgwire
