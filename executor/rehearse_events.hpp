// Reading what an applier child says: `seam rehearse` runs `seam apply
// --log-format json` as a child process and follows its progress from the
// lines it prints (one JSON object per line, cmd/apply.cpp), e.g.
//
//   {"ts": "...", "kind": "batch", "step": "backfill-003-...", "message": "...", "detail":
//   {"rows_done": 3000, ...}}
//   {"ts": "...", "kind": "result", "job": 1, "state": "awaiting-approval", "message": "..."}
//
// and, on stderr (merged into the same pipe), plain "seam: ..." lines.
#pragma once

#include <cstdint>
#include <string>

namespace seam::executor {

struct AppEvent {
  bool json = false;  // false: a plain text line (kept in `message`)
  std::string kind;   // "job-created", "batch", "step-done", "result", ...
  std::string step;
  std::string message;
  std::string state;       // "result": the job's state when apply returned
  int64_t job = 0;         // "result"
  int64_t rows_done = -1;  // "batch" (detail.rows_done), "step-done" of a backfill
};

// Never throws: a line that is not a JSON object becomes a plain text event.
AppEvent parse_app_event(const std::string& line);

}  // namespace seam::executor
