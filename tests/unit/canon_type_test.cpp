// canon_type: the spelling seam compares and renders types in, which must be
// format_type's (what the inspector reads) and valid SQL (what diff renders).
#include <gtest/gtest.h>

#include "schema/canon.hpp"

using seam::schema::canon_type;

TEST(CanonType, RestrictedIntervalsKeepTheirFields) {
  // The parser turns the fields into a typmod mask; it must come back as words.
  EXPECT_EQ(canon_type("interval day to second(2)"), "interval day to second(2)");
  EXPECT_EQ(canon_type("INTERVAL DAY TO SECOND"), "interval day to second");
  EXPECT_EQ(canon_type("interval year to month"), "interval year to month");
  EXPECT_EQ(canon_type("interval year"), "interval year");
  EXPECT_EQ(canon_type("interval hour to minute"), "interval hour to minute");
  EXPECT_EQ(canon_type("interval minute to second(3)"), "interval minute to second(3)");
  EXPECT_EQ(canon_type("interval second(4)"), "interval second(4)");
  // A precision alone is the full range.
  EXPECT_EQ(canon_type("interval(3)"), "interval(3)");
  EXPECT_EQ(canon_type("interval"), "interval");
  EXPECT_EQ(canon_type("interval day to second(2)[]"), "interval day to second(2)[]");
}
