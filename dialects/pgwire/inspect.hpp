// Reading a live PostgreSQL-wire database (PostgreSQL, CockroachDB,
// YugabyteDB, Spanner's PostgreSQL interface) into schema::Catalog, whichever
// product `s` (pgwire::detect) says is behind the connection:
//
//   postgres     pg::inspect (the full pg_catalog inspector);
//   yugabytedb   pg::inspect too: YSQL is a fork of PostgreSQL 11.2 (2.x) or
//                15 (2025.1+) with the whole pg_catalog; a catalog query the
//                fork does not answer becomes an UnsupportedError naming it;
//   cockroachdb, spanner-pg
//                the information_schema inspector (inspect_infoschema.hpp):
//                their pg_catalog is an emulation too partial for pg::inspect.
//
// What a product lacks or seam cannot read from it is listed in
// Catalog::unsupported (or is an UnsupportedError where a partial read would
// give a wrong model). Only the PostgreSQL path has run against a real server
// of that product; the others have run against PostgreSQL only.
//
//   auto s = seam::pgwire::detect(*conn);
//   seam::schema::Catalog live = seam::pgwire::inspect(*conn, s);
#pragma once

#include <pqxx/connection>

#include "dialects/pgwire/detect.hpp"
#include "dialects/postgres/inspect.hpp"
#include "schema/model.hpp"

namespace seam::pgwire {

// `o` filters schemas for every product (pg::InspectOptions).
schema::Catalog inspect(pqxx::connection& c, const Server& s, const pg::InspectOptions& o = {});

// Whether `s` is a product whose inspector has not been run against a live
// server of that product (everything but PostgreSQL): callers say so.
bool inspector_unverified(const Server& s);

}  // namespace seam::pgwire
