// schema::scan_names, the name scan the differ's dependency keys and the
// dump's section order share: what counts as a name, and where names cannot be.
#include <gtest/gtest.h>

#include "schema/name_scan.hpp"

using seam::schema::NameRefs;
using seam::schema::QualName;
using seam::schema::scan_names;

namespace {
NameRefs scan(std::string_view sql) {
  NameRefs r;
  scan_names(sql, r);
  return r;
}
bool has(const std::set<QualName>& s, const std::string& schema, const std::string& name) {
  return s.count({schema, name}) > 0;
}
}  // namespace

TEST(NameScan, QualifiedQuotedAndCalls) {
  NameRefs r =
      scan(R"(SELECT app.f (x), "My Schema"."T".id FROM App.Users WHERE lower(name) = 'a')");
  EXPECT_TRUE(has(r.calls, "app", "f"));
  EXPECT_TRUE(has(r.calls, "public", "lower"));
  EXPECT_FALSE(has(r.names, "app", "f"));
  EXPECT_TRUE(has(r.names, "app", "users"));    // unquoted names fold
  EXPECT_TRUE(has(r.names, "public", "app"));   // app.users may be table.column
  EXPECT_TRUE(has(r.names, "My Schema", "T"));  // quoted names keep their case
  EXPECT_TRUE(has(r.names, "T", "id"));         // three parts: the last two as well
  EXPECT_TRUE(has(r.names, "public", "x"));
}

TEST(NameScan, LiteralsCommentsAndDollarQuotesHoldNoNames) {
  NameRefs r = scan("'app.t' || E'it\\'s app.u' -- app.v\n /* app.w */ $body$ app.x $body$ || $1 || 1.5e3 || y");
  EXPECT_TRUE(r.calls.empty());
  EXPECT_TRUE(has(r.names, "public", "y"));
  // Only the E of E'...' is left besides y (a harmless extra candidate).
  for (const auto& n : r.names) EXPECT_TRUE(n.name == "y" || n.name == "e") << n.schema << "." << n.name;
}

TEST(NameScan, RegclassLiteralIsAName) {
  NameRefs r = scan("nextval('billing.\"Doc_seq\"'::regclass)");
  EXPECT_TRUE(has(r.calls, "public", "nextval"));
  EXPECT_TRUE(has(r.names, "billing", "Doc_seq"));
}

TEST(NameScan, UnterminatedTextEndsTheScan) {
  EXPECT_NO_THROW(scan("'open"));
  EXPECT_NO_THROW(scan("$$ open"));
  EXPECT_NO_THROW(scan("/* open"));
  EXPECT_NO_THROW(scan("\"open"));
}
