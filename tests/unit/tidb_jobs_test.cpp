// Without a server: mysql:// URLs (parsing, redaction), TiDB detection from
// `SELECT VERSION()`, the ADMIN ... DDL JOBS statements behind seam's job
// verbs (ids validated, pause/resume only from 7.2), and the COLUMN_DEFAULT
// spellings of MySQL/TiDB made MariaDB's (what the live TiDB path compares). The verbs against a
// real server that is not TiDB are in tests/integration/tidb_cli_test.cpp.
#include <gtest/gtest.h>

#include "dialects/mysql/detect.hpp"
#include "dialects/mysql/inspect.hpp"
#include "dialects/mysql/tidb_jobs.hpp"
#include "dialects/mysql/url.hpp"
#include "schema/errors.hpp"

namespace {

using namespace seam;

std::string input_error(const std::string& url) {
  try {
    mysql::parse_url(url);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(MysqlUrl, ParsesAndNeverPrintsThePassword) {
  mysql::Url u = mysql::parse_url("mysql://app:p%40ss%3Aw0rd@tidb.example:4000/shop");
  EXPECT_EQ(u.user, "app");
  EXPECT_EQ(u.password, "p@ss:w0rd");
  EXPECT_EQ(u.host, "tidb.example");
  EXPECT_EQ(u.port, 4000);
  EXPECT_EQ(u.database, "shop");
  EXPECT_EQ(u.redacted(), "mysql://app:***@tidb.example:4000/shop");

  mysql::Url s = mysql::parse_url("mysql://root@localhost/?socket=/tmp/x%20y/mysqld.sock");
  EXPECT_EQ(s.socket, "/tmp/x y/mysqld.sock");
  EXPECT_EQ(s.database, "");
  EXPECT_EQ(s.redacted(), "mysql://root@localhost/?socket=/tmp/x y/mysqld.sock");

  mysql::Url d = mysql::parse_url("mysql://db.internal");
  EXPECT_EQ(d.port, 3306);
  EXPECT_EQ(d.user, "root");

  EXPECT_TRUE(mysql::is_mysql_url("mysql://x"));
  EXPECT_FALSE(mysql::is_mysql_url("postgresql://x"));
  std::string e = input_error("mysql://app:hunter2@host:99999/shop");
  EXPECT_NE(e.find("port"), std::string::npos) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  e = input_error("mysql://app:hunter2@host/shop?sslmode=on");
  EXPECT_NE(e.find("unknown parameter \"sslmode\""), std::string::npos) << e;
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
  e = input_error("postgresql://app:hunter2@host/shop");
  EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
}

TEST(MysqlDetect, TidbMariaDbMysql) {
  mysql::ServerKind t = mysql::classify("8.0.11-TiDB-v8.5.1");
  ASSERT_TRUE(t.tidb);
  EXPECT_EQ(t.product, "TiDB");
  EXPECT_EQ(t.version, "8.5.1");
  EXPECT_EQ(t.tidb->str(), "8.5");
  EXPECT_EQ(t.describe(), "TiDB 8.5.1");
  EXPECT_EQ(mysql::classify("5.7.25-TiDB-v7.1.0-serverless").tidb->str(), "7.1");

  mysql::ServerKind m = mysql::classify("10.11.19-MariaDB-0+deb12u1");
  EXPECT_FALSE(m.tidb);
  EXPECT_EQ(m.product, "MariaDB");
  EXPECT_EQ(m.version, "10.11.19");
  EXPECT_EQ(m.describe(), "MariaDB 10.11.19 (SELECT VERSION() = '10.11.19-MariaDB-0+deb12u1')");
  EXPECT_EQ(mysql::classify("8.0.36").product, "MySQL");
}

TEST(TidbJobs, StatementsPerVerbAndVersion) {
  auto v = [](const char* s) { return compat::Version::parse(s); };
  using mysql::JobVerb;
  EXPECT_EQ(mysql::job_statements(JobVerb::List, 0, v("8.5")),
            std::vector<std::string>{"ADMIN SHOW DDL JOBS"});
  EXPECT_EQ(mysql::job_statements(JobVerb::Show, 42, v("8.5")),
            (std::vector<std::string>{"ADMIN SHOW DDL JOBS 1000 WHERE JOB_ID = 42",
                                      "ADMIN SHOW DDL JOB QUERIES 42"}));
  EXPECT_EQ(mysql::job_statements(JobVerb::Pause, 42, v("7.5")),
            std::vector<std::string>{"ADMIN PAUSE DDL JOBS 42"});
  EXPECT_EQ(mysql::job_statements(JobVerb::Resume, 42, v("8.1")),
            std::vector<std::string>{"ADMIN RESUME DDL JOBS 42"});
  EXPECT_EQ(mysql::job_statements(JobVerb::Cancel, 7, v("7.1")),
            std::vector<std::string>{"ADMIN CANCEL DDL JOBS 7"});
  // No ADMIN PAUSE/RESUME DDL JOBS before 7.2 (tidb.yaml ddl_job_control).
  try {
    mysql::job_statements(JobVerb::Pause, 42, v("7.1"));
    ADD_FAILURE() << "pause on 7.1";
  } catch (const UnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("before 7.2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mysql::job_statements(JobVerb::Resume, 42, v("7.0")), UnsupportedError);
  EXPECT_THROW(mysql::job_statements(JobVerb::Cancel, 0, v("8.5")), InputError);
  EXPECT_THROW(mysql::job_statements(JobVerb::Show, -3, v("8.5")), InputError);
}

TEST(TidbJobs, IdsAreIntegers) {
  EXPECT_EQ(mysql::parse_job_id("42"), 42);
  for (const char* bad :
       {"", "0", "-1", "4 2", "42; DROP TABLE t", "0x2a", "1e3", "99999999999999999999"})
    EXPECT_THROW(mysql::parse_job_id(bad), InputError) << bad;
}

TEST(TidbJobs, FormatTable) {
  EXPECT_EQ(mysql::format_table({"JOB_ID", "STATE"}, {{"7", "running"}, {"12", std::nullopt}}),
            "JOB_ID  STATE\n------  -------\n7       running\n12      NULL\n");
  EXPECT_EQ(mysql::format_table({"A"}, {}), "A\n-\n(no rows)\n");
}

TEST(MysqlInspect, ColumnDefaultsInMariaDbSpelling) {
  using mysql::column_default;
  auto d = [](const char* raw, const char* type, const char* extra, bool mariadb) {
    return column_default(raw ? std::optional<std::string>(raw) : std::nullopt, type, extra,
                          mariadb)
        .value_or("<none>");
  };
  // MariaDB: as printed; the word NULL is no default.
  EXPECT_EQ(d("'active'", "enum('active','x')", "", true), "'active'");
  EXPECT_EQ(d("NULL", "varchar(3)", "", true), "<none>");
  EXPECT_EQ(d("current_timestamp(3)", "datetime(3)", "", true), "current_timestamp(3)");
  // MySQL 8 / TiDB: bare values.
  EXPECT_EQ(d(nullptr, "varchar(3)", "", false), "<none>");
  EXPECT_EQ(d("active", "enum('active','x')", "", false), "'active'");
  EXPECT_EQ(d("it's", "varchar(10)", "", false), "'it''s'");
  EXPECT_EQ(d("NULL", "varchar(10)", "", false), "'NULL'");  // the text NULL, not SQL NULL
  EXPECT_EQ(d("0", "int", "", false), "0");
  EXPECT_EQ(d("1.50", "decimal(5,2)", "", false), "1.50");
  EXPECT_EQ(d("2020-01-01 00:00:00", "datetime", "", false), "'2020-01-01 00:00:00'");
  EXPECT_EQ(d("CURRENT_TIMESTAMP", "timestamp", "DEFAULT_GENERATED", false), "current_timestamp()");
  EXPECT_EQ(d("CURRENT_TIMESTAMP(3)", "datetime(3)", "", false), "current_timestamp(3)");
  EXPECT_EQ(d("UUID()", "char(36)", "DEFAULT_GENERATED", false), "uuid()");
  EXPECT_EQ(d("concat('A',`Name`)", "varchar(9)", "DEFAULT_GENERATED", false),
            "concat('A',`Name`)");
}

}  // namespace
