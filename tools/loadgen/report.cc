#include "tools/loadgen/report.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace depositd::loadgen {
namespace {

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// The 1-minute load average (/proc/loadavg), or "" where there is none: the
// machine is shared, so results carry it.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string first;
  in >> first;
  return first;
}

}  // namespace

std::string Thousands(int64_t v) {
  std::string digits = absl::StrCat(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

std::string LatencyLine(const LatencyHistogram& h) {
  return absl::StrFormat(
      "p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f (n=%s)",
      Ms(h.ValueAtPercentile(50)), Ms(h.ValueAtPercentile(90)),
      Ms(h.ValueAtPercentile(99)), Ms(h.ValueAtPercentile(99.9)), Ms(h.max()),
      h.mean() / 1e6, Thousands(h.count()));
}

void AppendCsv(const LoadgenOptions& o, absl::string_view mode, int64_t count,
               double per_s, const LatencyHistogram& h, int64_t applied,
               int64_t duplicates, int64_t rejected, int64_t errors,
               absl::string_view extra) {
  if (o.csv.empty()) return;
  struct stat st;
  const bool fresh = stat(o.csv.c_str(), &st) != 0 || st.st_size == 0;
  std::ofstream out(o.csv, std::ios::app);
  if (fresh) {
    out << "mode,label,target,shops,concurrency,batch,rate_target,duration_s,"
           "count,per_s,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,mean_ms,applied,"
           "duplicates,rejected,errors,load1,extra\n";
  }
  out << absl::StrFormat(
      "%s,%s,%s,%d,%d,%d,%.0f,%.3f,%d,%.1f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%d,"
      "%d,%d,%d,%s,%s\n",
      mode, o.label, o.target, o.shops, o.concurrency, o.batch, o.rate,
      absl::ToDoubleSeconds(o.duration), count, per_s,
      Ms(h.ValueAtPercentile(50)), Ms(h.ValueAtPercentile(90)),
      Ms(h.ValueAtPercentile(99)), Ms(h.ValueAtPercentile(99.9)), Ms(h.max()),
      h.mean() / 1e6, applied, duplicates, rejected, errors, LoadAverage(),
      extra);
  if (!out) std::fprintf(stderr, "loadgen: cannot write %s\n", o.csv.c_str());
}

void WriteCurve(const std::string& path, const LatencyHistogram& h) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::trunc);
  out << "percentile,value_ms,one_over_one_minus_p\n";
  for (const LatencyHistogram::Point& p : h.PercentileCurve(5)) {
    // The last point (100%) has no finite 1/(1-p); plots put it at the
    // sample count.
    const double x = p.percentile >= 100.0 ? static_cast<double>(h.count())
                                           : 1.0 / (1.0 - p.percentile / 100.0);
    out << absl::StrFormat("%.6f,%.4f,%.3f\n", p.percentile, Ms(p.value), x);
  }
  if (!out) std::fprintf(stderr, "loadgen: cannot write %s\n", path.c_str());
}

}  // namespace depositd::loadgen
