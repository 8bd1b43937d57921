// A database in a non-UTF-8 encoding: the inspector reads it in UTF-8, so
// dumps and plan files (UTF-8 text) hold the same characters the user wrote.
#include <gtest/gtest.h>

#include <unistd.h>

#include <pqxx/pqxx>

#include "dialects/postgres/dump.hpp"
#include "dialects/postgres/inspect.hpp"
#include "tests/support/pg_fixture.hpp"

TEST(InspectEncoding, Latin1DatabaseIsReadAsUtf8) {
  std::string admin = seam::test::fresh_database("enc_admin");
  std::string name = "seam_latin1_" + std::to_string(::getpid());
  seam::test::run_sql(admin, "SELECT 1");
  {
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    tx.exec("CREATE DATABASE " + c.quote_name(name) + " ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
  }
  std::string url = seam::test::server().url_for(name);
  {
    // Written from a UTF-8 client; the server stores LATIN1.
    pqxx::connection w(url);
    w.set_client_encoding("UTF8");
    pqxx::nontransaction tx(w);
    tx.exec("CREATE TABLE caf\u00e9 (na\u00efve text); COMMENT ON TABLE caf\u00e9 IS 'cr\u00e8me br\u00fbl\u00e9e'");
  }
  pqxx::connection c(url);
  c.set_client_encoding("LATIN1");  // a caller with other settings must not change what seam sees
  std::string dump = seam::pg::dump_catalog(seam::pg::inspect(c));
  EXPECT_NE(dump.find("caf\u00e9"), std::string::npos) << dump;
  EXPECT_NE(dump.find("na\u00efve"), std::string::npos) << dump;
  EXPECT_NE(dump.find("cr\u00e8me br\u00fbl\u00e9e"), std::string::npos) << dump;
}
