// The corpus round-trip property (seam_corpus roundtrip): for each case whose
// from.sql and to.sql both load on the server, load one side into a fresh
// database, diff it against the other side's offline model, apply the script
// with psql (or, with --via plan, run every step of the zero-downtime plan in
// order), inspect, and compare with that model; both directions.
#pragma once

namespace seam::corpus {

// `seam_corpus roundtrip [--sample N] [--source S] [--case NAME]
//  [--direction forward|reverse] [--via script|plan] [--report FILE]
//  [--min-pass-rate R]`;
// returns the process exit code.
int roundtrip_main(int argc, char** argv);

}  // namespace seam::corpus
