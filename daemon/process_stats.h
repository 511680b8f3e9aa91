// The process's own CPU, memory, file and start-time figures for /metrics,
// read from Linux's /proc (the same sources Prometheus' client libraries
// use for their process_* metrics).
//
// ReadProcessFigures reads /proc/self/stat, /proc/self/fd, /proc/stat and
// RLIMIT_NOFILE: a few small reads, about 50 us, at scrape time only.
// Failure: NOT_FOUND / UNAVAILABLE naming the file when /proc cannot be read
// (no /proc mounted), INVALID_ARGUMENT when a file does not parse; callers
// leave the process figures out then.
//
// Thread-safety: thread-safe (no shared state).
#ifndef DEPOSITD_DAEMON_PROCESS_STATS_H_
#define DEPOSITD_DAEMON_PROCESS_STATS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "daemon/metrics.h"

namespace depositd::daemon {

absl::StatusOr<ProcessFigures> ReadProcessFigures();

// The parsing part, for tests: `stat` is the text of /proc/self/stat,
// `proc_stat` that of /proc/stat (for btime); clock ticks per second and
// page size as sysconf reports them. Fills cpu, memory and start time;
// leaves open_fds and max_fds zero. INVALID_ARGUMENT when a field is
// missing or not a number.
absl::StatusOr<ProcessFigures> ParseProcStat(absl::string_view stat,
                                             absl::string_view proc_stat,
                                             long ticks_per_second,
                                             long page_size);

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_PROCESS_STATS_H_
