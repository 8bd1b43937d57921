// See desired.hpp.
#include "cmd/desired.hpp"

#include <iostream>
#include <vector>

#include "dialects/postgres/devdb.hpp"
#include "schema/load.hpp"
#include "schema/sql_file.hpp"

namespace seam::cmd {

schema::Catalog load_desired(const std::string& schema_path, const std::string& dev_url,
                             bool quiet) {
  if (!dev_url.empty()) {
    std::vector<schema::SqlFile> files;
    for (const auto& p : schema::list_sql_files(schema_path))
      files.push_back(schema::read_sql_file(p, p));
    return pg::load_via_dev(files, dev_url);
  }
  auto r = schema::load_path(schema_path);
  if (!quiet)
    for (const auto& w : r.warnings) std::cerr << "seam: warning: " << w << "\n";
  return std::move(r.catalog);
}

}  // namespace seam::cmd
