// HttpHandler: a route the HTTP edge (daemon/http_edge.h) hands every
// request under a path prefix to (HttpEdge::SetHandler), for what serves
// more than the edge's own paths: the JSON API under /api/v1 and the
// console. Kept apart from http_edge.h so a handler needs nothing of the
// server library.
//
// Contract: the edge does NOT authenticate requests under a handler's
// prefix (no bearer check, as for /hooks/): the handler does its own
// (tokens, session cookies, CSRF) and answers 401/403 itself. The edge
// reads at most max_body_bytes() of a body; a larger one is not read and
// reaches the handler as body_too_large with an empty body (answer 413).
// Any method reaches the handler (405 is the handler's to answer). The
// edge adds Content-Length; a response header the handler sets wins over
// the edge's default Cache-Control: no-store.
//
// Thread-safety: Handle runs on the edge's worker threads, several at once;
// implementations must be thread-safe and must outlive HttpEdge::Stop().
#ifndef DEPOSITD_DAEMON_HTTP_HANDLER_H_
#define DEPOSITD_DAEMON_HTTP_HANDLER_H_

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace depositd::daemon {

struct HttpEdgeRequest {
  // "GET", "POST", ... as sent.
  std::string method;
  // The path without the query: "/api/v1/shops/s1".
  std::string path;
  // The query string after '?' (not decoded), or "".
  std::string query;
  // Header names in lower case; every value of a repeated header is kept.
  std::multimap<std::string, std::string> headers;
  // The raw body (empty when body_too_large).
  std::string body;
  // The body was over the handler's max_body_bytes(): the edge did not
  // read it (and closes the connection after the answer).
  bool body_too_large = false;
  // The client's IP address as text ("127.0.0.1", "::1") and port.
  std::string remote_addr;
  int remote_port = 0;
  // The request came over TLS (--tls-cert).
  bool tls = false;

  // The first value of header `lower_case_name`, or "" when absent.
  const std::string& Header(const std::string& lower_case_name) const {
    static const std::string* const kEmpty = new std::string();
    auto it = headers.find(lower_case_name);
    return it == headers.end() ? *kEmpty : it->second;
  }
};

struct HttpEdgeResponse {
  int status = 200;
  // Empty with an empty body.
  std::string content_type;
  // Further headers in order, e.g. {"Set-Cookie", "..."},
  // {"Content-Security-Policy", "..."}, {"Cache-Control", "..."}. Names are
  // sent as given; repeated names are sent repeatedly. Content-Length and
  // Content-Type are the edge's (from body and content_type).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Largest request body the edge reads for this handler.
  virtual size_t max_body_bytes() const { return 1 << 20; }
  // Answers one request. May block briefly (it holds one of the edge's
  // worker threads while it runs).
  virtual HttpEdgeResponse Handle(const HttpEdgeRequest& request) = 0;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_HTTP_HANDLER_H_
