// What the modes of depositd-loadgen print and write: numbers with thousands
// separators, a latency summary line, the CSV results line (one per run,
// header when the file is new) and the latency percentile curve.
//
// Failure contract: nothing fails the run; a file that cannot be written is
// reported on stderr ("loadgen: cannot write ...") and the run goes on. An
// empty path (no --csv, no --latency-csv) writes nothing.
//
// Thread-safety: free functions; the writers append to or replace files, so
// call them from one thread (the modes call them from main at the end).
#ifndef DEPOSITD_TOOLS_LOADGEN_REPORT_H_
#define DEPOSITD_TOOLS_LOADGEN_REPORT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "tools/loadgen/histogram.h"
#include "tools/loadgen/modes.h"

namespace depositd::loadgen {

// 1234567 -> "1,234,567".
std::string Thousands(int64_t v);

// p50 … max and mean of a histogram of nanoseconds, in ms, with its count.
std::string LatencyLine(const LatencyHistogram& h);

// Appends one line to `o.csv` (nothing when it is empty) with the run's
// options, `count`, `per_s`, the latency percentiles of `h` (ms), the
// outcome counts, the 1-minute load average and `extra`.
void AppendCsv(const LoadgenOptions& o, absl::string_view mode, int64_t count,
               double per_s, const LatencyHistogram& h, int64_t applied,
               int64_t duplicates, int64_t rejected, int64_t errors,
               absl::string_view extra);

// Writes the percentile curve of `h` (percentile, ms, 1/(1-p)) to `path`
// (nothing when it is empty).
void WriteCurve(const std::string& path, const LatencyHistogram& h);

}  // namespace depositd::loadgen

#endif  // DEPOSITD_TOOLS_LOADGEN_REPORT_H_
