// seam's entry point: builds the CLI and maps errors to exit codes, so that
// every failure reaches the user as one precise message on stderr.
#include <iostream>

#include "cmd/commands.hpp"
#include "schema/errors.hpp"

int main(int argc, char** argv) {
  CLI::App app{"seam - online schema changes for PostgreSQL-family databases"};
  app.set_version_flag("--version", std::string("seam ") + SEAM_VERSION);
  app.require_subcommand(1);
  seam::cmd::register_dev(app);
  seam::cmd::register_inspect(app);
  seam::cmd::register_diff(app);
  seam::cmd::register_plan(app);
  seam::cmd::register_compat(app);
  seam::cmd::register_lint(app);
  seam::cmd::register_apply(app);
  seam::cmd::register_jobs(app);
  seam::cmd::register_rehearse(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : seam::cmd::kUsage;
  } catch (const seam::InputError& e) {
    std::cerr << "seam: " << e.what() << "\n";
    return seam::cmd::kInput;
  } catch (const seam::UnsupportedError& e) {
    std::cerr << "seam: not supported: " << e.what() << "\n";
    return seam::cmd::kUnsupported;
  } catch (const std::exception& e) {
    std::cerr << "seam: " << e.what() << "\n";
    return seam::cmd::kError;
  }
  return 0;
}
