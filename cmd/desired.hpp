// Loading the desired state for the subcommands that compare it with a live
// database (diff, plan): offline through the loader, or exactly through a
// scratch database on a dev server (--dev-url). Skipped-statement warnings go
// to stderr unless `quiet`.
#pragma once

#include <string>

#include "schema/model.hpp"

namespace seam::cmd {

schema::Catalog load_desired(const std::string& schema_path, const std::string& dev_url,
                             bool quiet);

}  // namespace seam::cmd
