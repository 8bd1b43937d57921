// `seam compat [--dialect D] [--version V] [--format md|yaml]`: prints the DDL
// compatibility matrix compiled into seam (compat-matrix/<dialect>.yaml) for
// runbooks - what each operation locks, whether it rewrites or scans the
// table, whether it may run in a transaction, and the online strategy seam
// plans for it - optionally only the entries that cover one server version.
// `seam compat verify` (cmd/compat_verify.cpp) measures it on a server.
#include <iostream>
#include <optional>

#include "cmd/commands.hpp"
#include "compat-matrix/matrix.hpp"
#include "schema/errors.hpp"

namespace seam::cmd {

namespace {

struct CompatArgs {
  std::string dialect = "postgres";
  std::string version;
  std::string format = "md";
};

void run_compat(const CompatArgs& a) {
  const compat::Matrix& m = compat::builtin(a.dialect);
  std::optional<compat::Version> v;
  if (!a.version.empty()) v = compat::Version::parse(a.version);
  std::cout << (a.format == "yaml" ? compat::render_yaml(m, v) : compat::render_markdown(m, v))
            << std::flush;
}

}  // namespace

void register_compat(CLI::App& app) {
  auto args = std::make_shared<CompatArgs>();
  CLI::App* sub = app.add_subcommand(
      "compat", "Print the DDL compatibility matrix (locks, rewrites, strategies)");
  sub->add_option("--dialect", args->dialect,
                  "Database dialect: postgres (default), cockroachdb, yugabytedb, spanner-pg, tidb")
      ->capture_default_str();
  sub->add_option(
         "--version", args->version,
         "Only the entries covering this server version (e.g. 16, 16.4, 24.1, 2024.2, 8.5)")
      ->check([](const std::string& s) {
        try {
          compat::Version::parse(s);
          return std::string();
        } catch (const InputError& e) {
          return std::string(e.what());
        }
      });
  sub->add_option("--format", args->format, "md (a Markdown table) or yaml")
      ->check(CLI::IsMember({"md", "yaml"}))
      ->capture_default_str();
  register_compat_verify(*sub);
  sub->callback([args, sub] {
    if (sub->got_subcommand("verify")) return;  // `seam compat verify` ran instead
    run_compat(*args);
  });
}

}  // namespace seam::cmd
