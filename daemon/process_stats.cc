#include "daemon/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace depositd::daemon {
namespace {

absl::StatusOr<std::string> ReadFile(const char* path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<ProcessFigures> ParseProcStat(absl::string_view stat,
                                             absl::string_view proc_stat,
                                             long ticks_per_second,
                                             long page_size) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
  // the fields start after the last ')'. Field 3 (state) is fields[0].
  const size_t paren = stat.rfind(')');
  if (paren == absl::string_view::npos || ticks_per_second <= 0) {
    return absl::InvalidArgumentError("/proc/self/stat: no ')' after comm");
  }
  std::vector<absl::string_view> fields = absl::StrSplit(
      stat.substr(paren + 1), absl::ByAnyChar(" \n"), absl::SkipEmpty());
  // utime 14, stime 15, starttime 22, vsize 23, rss 24 (proc(5)).
  auto field = [&](int n, uint64_t* v) {
    const size_t i = static_cast<size_t>(n - 3);
    return i < fields.size() && absl::SimpleAtoi(fields[i], v);
  };
  uint64_t utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
  if (!field(14, &utime) || !field(15, &stime) || !field(22, &start) ||
      !field(23, &vsize) || !field(24, &rss)) {
    return absl::InvalidArgumentError(
        "/proc/self/stat: a field of utime, stime, starttime, vsize, rss is "
        "missing or not a number");
  }
  uint64_t btime = 0;
  bool found = false;
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ")) {
      found = absl::SimpleAtoi(line, &btime);
      break;
    }
  }
  if (!found) {
    return absl::InvalidArgumentError("/proc/stat: no btime line");
  }
  const double tps = static_cast<double>(ticks_per_second);
  ProcessFigures p;
  p.cpu_seconds = static_cast<double>(utime + stime) / tps;
  p.virtual_bytes = static_cast<double>(vsize);
  p.resident_bytes = static_cast<double>(rss) * static_cast<double>(page_size);
  p.start_time_seconds =
      static_cast<double>(btime) + static_cast<double>(start) / tps;
  return p;
}

absl::StatusOr<ProcessFigures> ReadProcessFigures() {
  absl::StatusOr<std::string> stat = ReadFile("/proc/self/stat");
  if (!stat.ok()) return stat.status();
  absl::StatusOr<std::string> proc_stat = ReadFile("/proc/stat");
  if (!proc_stat.ok()) return proc_stat.status();
  absl::StatusOr<ProcessFigures> p = ParseProcStat(
      *stat, *proc_stat, sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE));
  if (!p.ok()) return p.status();
  std::error_code ec;
  int64_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end;
       !ec && it != end; it.increment(ec)) {
    ++fds;
  }
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot list /proc/self/fd: ", ec.message()));
  }
  // The iterator's own descriptor was open while counting.
  p->open_fds = static_cast<double>(fds > 0 ? fds - 1 : 0);
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    p->max_fds = static_cast<double>(limit.rlim_cur);
  }
  return p;
}

}  // namespace depositd::daemon
