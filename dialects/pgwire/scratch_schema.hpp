// A schema of its own for one probe of `seam compat verify`, in the database
// the user named: users of managed PostgreSQL (and of CockroachDB, YugabyteDB)
// often may not CREATE DATABASE, but may create a schema. The name is
// seam_verify_<hint>_<8 random hex digits>, so parallel runs and leftovers of
// an interrupted run never collide.
//
//   pgwire::ScratchSchema s(url, "create_index");
//   pg::run_probe(url, entry, {.schema = s.name()});
//   s.drop();   // reports a failed DROP; the destructor drops quietly otherwise
#pragma once

#include <string>

namespace seam::pgwire {

class ScratchSchema {
 public:
  // CREATE SCHEMA on its own connection; throws std::runtime_error with the
  // server's reason (e.g. no CREATE privilege on the database).
  ScratchSchema(std::string url, const std::string& hint);
  // Drops the schema (CASCADE) unless drop() already did; errors are
  // swallowed here, since the destructor may run while another error unwinds.
  ~ScratchSchema();
  ScratchSchema(const ScratchSchema&) = delete;
  ScratchSchema& operator=(const ScratchSchema&) = delete;

  const std::string& name() const { return name_; }
  // DROP SCHEMA ... CASCADE; throws std::runtime_error naming the schema.
  void drop();

 private:
  std::string url_, name_;
  bool dropped_ = false;
};

}  // namespace seam::pgwire
