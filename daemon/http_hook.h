// HttpHookHandler: what the HTTP edge hands POST /hooks/<platform> to (the
// native feeds, daemon/feed_receivers.h). Kept apart from http_edge.h so
// the edge needs nothing of the feeds and the feeds nothing of the server
// library.
#ifndef DEPOSITD_DAEMON_HTTP_HOOK_H_
#define DEPOSITD_DAEMON_HTTP_HOOK_H_

#include <cstddef>
#include <map>
#include <string>

namespace depositd::daemon {

struct HttpHookRequest {
  // "/hooks/tiktok".
  std::string path;
  // The query string after '?', or "".
  std::string query;
  // Header names in lower case, each with its first value.
  std::map<std::string, std::string> headers;
  // The raw body (empty when body_too_large).
  std::string body;
  // The body was over max_body_bytes(): the edge did not read it.
  bool body_too_large = false;
};

struct HttpHookResponse {
  int status = 200;
  // Empty with an empty body.
  std::string content_type;
  std::string body;
};

// Thread-safe: Handle runs on the edge's worker threads, several at once.
class HttpHookHandler {
 public:
  virtual ~HttpHookHandler() = default;
  // Largest body the edge reads for a hook.
  virtual size_t max_body_bytes() const = 0;
  // Answers one request; may block until its events are durable (bounded by
  // the platform's answer timeout).
  virtual HttpHookResponse Handle(const HttpHookRequest& request) = 0;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_HTTP_HOOK_H_
