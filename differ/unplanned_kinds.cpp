// Object kinds the model holds but the differ does not plan yet: aggregates
// and event triggers. A difference in them is refused with UnsupportedError
// rather than left out of the plan, which would read as "in sync".
#include "differ/diff_internal.hpp"
#include "schema/compare.hpp"
#include "schema/errors.hpp"

namespace seam::differ::detail {

void refuse_unplanned_kinds(const schema::Catalog& from, const schema::Catalog& to) {
  schema::Catalog a, b;
  a.aggregates = from.aggregates;
  a.event_triggers = from.event_triggers;
  b.aggregates = to.aggregates;
  b.event_triggers = to.event_triggers;
  // compare(desired, live): "only in desired state" = to be created.
  auto diffs = schema::compare(b, a);
  if (diffs.empty()) return;
  throw UnsupportedError("seam cannot plan changes to aggregates or event triggers yet; create, alter or drop "
                         "them by hand, then run seam again. Differences:\n" +
                         schema::format_differences(diffs, 20));
}

}  // namespace seam::differ::detail
