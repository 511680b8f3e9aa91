// ApiContext: what one /api/v1 request's endpoint works with (the engine,
// the authenticated caller, its decoded query) and Await, which turns the
// engine's callback answer into a value on the edge's worker thread.
//
// Thread-safe: a context belongs to one request; Await's shared state
// outlives a callback that comes after the timeout.
#ifndef DEPOSITD_DAEMON_API_CONTEXT_H_
#define DEPOSITD_DAEMON_API_CONTEXT_H_

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "daemon/auth.h"
#include "daemon/engine.h"

namespace depositd::daemon {

struct ApiContext {
  Engine* engine = nullptr;
  Principal principal;
  absl::Duration timeout = absl::Seconds(10);
  // The decoded query string.
  std::map<std::string, std::string> query;

  // INVALID_ARGUMENT naming the first query parameter not in `allowed`
  // (a typo is an error, not a filter silently left out).
  absl::Status CheckParams(
      std::initializer_list<absl::string_view> allowed) const {
    for (const auto& [name, value] : query) {
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown query parameter \"", name, "\": ",
            allowed.size() == 0 ? std::string("this endpoint takes none")
                                : absl::StrCat("this endpoint takes ",
                                               absl::StrJoin(allowed, ", "))));
      }
    }
    return absl::OkStatus();
  }

  // The query parameter `name`, or "".
  std::string Param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

// Calls `start(done)` and waits up to `timeout` for `done(value)`;
// DEADLINE_EXCEEDED (saying the shards are busy) when it does not come.
template <typename T>
absl::StatusOr<T> Await(
    absl::Duration timeout,
    const std::function<void(std::function<void(absl::StatusOr<T>)>)>& start) {
  struct State {
    absl::Notification done;
    absl::StatusOr<T> value = absl::UnknownError("no answer");
  };
  auto state = std::make_shared<State>();
  start([state](absl::StatusOr<T> v) {
    state->value = std::move(v);
    state->done.Notify();
  });
  if (!state->done.WaitForNotificationWithTimeout(timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "depositd did not answer within ", absl::FormatDuration(timeout),
        " (its shards are busy): retry in a moment"));
  }
  return std::move(state->value);
}

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_API_CONTEXT_H_
