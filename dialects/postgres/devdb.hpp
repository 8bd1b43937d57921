// The dev-database path: the exact way to turn desired-state SQL into a model.
// The files are executed statement by statement in a scratch database on a
// real server (the embedded PostgreSQL or a given --dev-url) and the result is
// inspected. It is the oracle the offline loader is tested against, and the
// path for syntax the offline parser does not know (PostgreSQL 16+).
//
//   schema::Catalog c = pg::load_via_dev(files, "postgresql://postgres@127.0.0.1:5499/postgres");
#pragma once

#include <string>
#include <vector>

#include "schema/model.hpp"
#include "schema/sql_file.hpp"

namespace seam::pg {

struct DevOptions {
  // Keep the scratch database (for debugging); it is dropped otherwise.
  bool keep = false;
};

// Runs every statement of `files` (in order) in a new scratch database on the
// server at `admin_url` (a database the user may CREATE DATABASE from), then
// inspects it. A failing statement raises seam::InputError naming
// file:line:col and the server's message. The scratch database is dropped in
// every case.
schema::Catalog load_via_dev(const std::vector<schema::SqlFile>& files, const std::string& admin_url,
                             const DevOptions& opts = {});

}  // namespace seam::pg
