#include "daemon/http_edge.h"

#include <cstdio>
#include <cstring>
#include <mutex>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "civetweb.h"
#include "daemon/log.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace depositd::daemon {
namespace {

constexpr char kTextPlain[] = "text/plain; charset=utf-8";
constexpr char kPrometheusText[] = "text/plain; version=0.0.4; charset=utf-8";

// While Start runs mg_start2 on this thread, civetweb's messages (e.g.
// "cannot bind to 127.0.0.1:9474: 98 (Address already in use)") are kept
// here for Start's error instead of being logged.
thread_local std::string* start_errors = nullptr;

// civetweb's own messages (bad requests, socket errors) as log lines.
int LogMessage(const mg_connection*, const char* message) {
  if (start_errors != nullptr) {
    if (start_errors->empty()) *start_errors = message;
    return 1;
  }
  LogWarning("http", message);
  return 1;
}

void Respond(mg_connection* conn, bool head, int status,
             const char* content_type, const std::string& body,
             bool challenge = false) {
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", content_type, -1);
  const std::string length = absl::StrCat(body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  if (challenge) {
    mg_response_header_add(conn, "WWW-Authenticate",
                           "Bearer realm=\"depositd\"", -1);
  }
  mg_response_header_send(conn);
  if (!head && !body.empty()) mg_write(conn, body.data(), body.size());
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpEdge>> HttpEdge::Start(Options options) {
  if (options.health == nullptr) {
    return absl::InvalidArgumentError("HttpEdge needs a health state");
  }
  const size_t colon = options.listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http-listen=", options.listen,
                     " is not host:port (e.g. 127.0.0.1:9474)"));
  }
  if (options.listen[0] == '[') {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http-listen=", options.listen,
        ": the HTTP edge listens on IPv4 only (Debian's civetweb is built "
        "without IPv6); use 127.0.0.1 or an IPv4 address"));
  }
  static std::once_flag library_once;
  std::call_once(library_once, [] { mg_init_library(0); });

  std::unique_ptr<HttpEdge> edge(new HttpEdge(std::move(options)));
  const std::string threads = absl::StrCat(edge->options_.threads);
  const char* config[] = {"listening_ports", edge->options_.listen.c_str(),
                          "num_threads", threads.c_str(), "request_timeout_ms",
                          "10000", "enable_keep_alive", "yes",
                          "keep_alive_timeout_ms", "2000",
                          // A response's header and body are two writes;
                          // with Nagle the body waited for the client's
                          // delayed ACK: 40 ms per webhook on keep-alive
                          // (bench/results/feeds_s8.txt).
                          "tcp_nodelay", "1", nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = LogMessage;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = edge.get();
  init.configuration_options = config;
  char error_text[256] = "";
  unsigned error_code = 0;
  mg_error_data error{};
  error.code = &error_code;
  error.text = error_text;
  error.text_buffer_size = sizeof(error_text);
  std::string first_error;
  start_errors = &first_error;
  edge->context_ = mg_start2(&init, &error);
  start_errors = nullptr;
  if (edge->context_ == nullptr) {
    if (first_error.empty()) {
      first_error = error_text[0] != '\0' ? error_text : "civetweb failed";
    }
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", edge->options_.listen,
                     " (--http-listen): ", first_error));
  }
  mg_set_request_handler(edge->context_, "/", &HttpEdge::Handle, edge.get());
  mg_server_port ports[4] = {};
  const int n = mg_get_server_ports(edge->context_, 4, ports);
  if (n < 1 || ports[0].port <= 0) {
    return absl::UnavailableError(absl::StrCat(
        "HTTP listener on ", edge->options_.listen, ": no bound port"));
  }
  edge->port_ = ports[0].port;
  return edge;
}

HttpEdge::~HttpEdge() { Stop(); }

void HttpEdge::Stop() {
  if (context_ != nullptr) {
    mg_stop(context_);
    context_ = nullptr;
  }
}

int HttpEdge::Handle(mg_connection* conn, void* self) {
  return static_cast<const HttpEdge*>(self)->Serve(conn);
}

void HttpEdge::SetHooks(std::shared_ptr<HttpHookHandler> hooks, bool enabled) {
  absl::MutexLock lock(&mu_);
  hooks_ = enabled ? std::move(hooks) : nullptr;
  hooks_set_ = true;
}

int HttpEdge::ServeHook(mg_connection* conn, absl::string_view method,
                        absl::string_view path) const {
  std::shared_ptr<HttpHookHandler> hooks;
  bool set = false;
  {
    absl::MutexLock lock(&mu_);
    hooks = hooks_;
    set = hooks_set_;
  }
  if (hooks == nullptr) {
    const int status = set ? 404 : 503;
    Respond(conn, false, status, kTextPlain,
            set ? absl::StrCat("no such path: ", path,
                               " (no feed configured for it)\n")
                : "starting: webhooks are served once recovery is done; "
                  "retry\n");
    return status;
  }
  if (method != "POST") {
    Respond(conn, method == "HEAD", 405, kTextPlain,
            absl::StrCat(method, " is not allowed: webhooks are POSTed\n"));
    return 405;
  }
  const mg_request_info* req = mg_get_request_info(conn);
  HttpHookRequest request;
  request.path = std::string(path);
  if (req->query_string != nullptr) request.query = req->query_string;
  for (int i = 0; i < req->num_headers; ++i) {
    const mg_header& h = req->http_headers[i];
    if (h.name == nullptr || h.value == nullptr) continue;
    request.headers.emplace(absl::AsciiStrToLower(h.name), h.value);
  }
  const size_t limit = hooks->max_body_bytes();
  if (req->content_length > 0 &&
      static_cast<uint64_t>(req->content_length) > limit) {
    request.body_too_large = true;  // not read: the connection is closed
  } else {
    char buffer[16384];
    while (true) {
      const int n = mg_read(conn, buffer, sizeof(buffer));
      if (n <= 0) break;
      request.body.append(buffer, static_cast<size_t>(n));
      if (request.body.size() > limit) {
        request.body.clear();
        request.body_too_large = true;
        break;
      }
    }
  }
  const HttpHookResponse r = hooks->Handle(request);
  mg_response_header_start(conn, r.status);
  if (!r.content_type.empty()) {
    mg_response_header_add(conn, "Content-Type", r.content_type.c_str(), -1);
  }
  const std::string length = absl::StrCat(r.body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  if (request.body_too_large) {
    mg_response_header_add(conn, "Connection", "close", -1);
  }
  mg_response_header_send(conn);
  if (!r.body.empty()) mg_write(conn, r.body.data(), r.body.size());
  return r.status;
}

namespace {

// The edge's own paths, which SetHandler may not take.
bool IsEdgePath(absl::string_view path) {
  return path == "/livez" || path == "/readyz" || path == "/metrics" ||
         path == "/hooks" || absl::StartsWith(path, "/hooks/");
}

// `path` is `prefix` or lies under it ("/" lies over everything).
bool UnderPrefix(absl::string_view path, absl::string_view prefix) {
  if (prefix == "/") return true;
  if (!absl::StartsWith(path, prefix)) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

}  // namespace

void HttpEdge::SetHandler(std::string path_prefix,
                          std::shared_ptr<HttpHandler> handler) {
  while (path_prefix.size() > 1 && path_prefix.back() == '/') {
    path_prefix.pop_back();
  }
  if (path_prefix.empty() || path_prefix[0] != '/' || IsEdgePath(path_prefix)) {
    LogError("http", absl::StrCat("SetHandler(\"", path_prefix,
                                  "\") ignored: a prefix starts with '/' and "
                                  "may not take the edge's own paths"));
    return;
  }
  absl::MutexLock lock(&mu_);
  for (auto it = handlers_.begin(); it != handlers_.end(); ++it) {
    if (it->first == path_prefix) {
      handlers_.erase(it);
      break;
    }
  }
  if (handler != nullptr) {
    handlers_.emplace_back(std::move(path_prefix), std::move(handler));
  }
}

std::shared_ptr<HttpHandler> HttpEdge::FindHandler(
    absl::string_view path) const {
  if (IsEdgePath(path)) return nullptr;
  absl::MutexLock lock(&mu_);
  const std::pair<std::string, std::shared_ptr<HttpHandler>>* best = nullptr;
  for (const auto& route : handlers_) {
    if (UnderPrefix(path, route.first) &&
        (best == nullptr || route.first.size() > best->first.size())) {
      best = &route;
    }
  }
  return best == nullptr ? nullptr : best->second;
}

int HttpEdge::ServeHandler(mg_connection* conn, HttpHandler& handler,
                           absl::string_view method,
                           absl::string_view path) const {
  const mg_request_info* req = mg_get_request_info(conn);
  HttpEdgeRequest request;
  request.method = std::string(method);
  request.path = std::string(path);
  if (req->query_string != nullptr) request.query = req->query_string;
  for (int i = 0; i < req->num_headers; ++i) {
    const mg_header& h = req->http_headers[i];
    if (h.name == nullptr || h.value == nullptr) continue;
    request.headers.emplace(absl::AsciiStrToLower(h.name), h.value);
  }
  request.remote_addr = req->remote_addr;
  request.remote_port = req->remote_port;
  request.tls = req->is_ssl != 0;
  const size_t limit = handler.max_body_bytes();
  if (req->content_length > 0 &&
      static_cast<uint64_t>(req->content_length) > limit) {
    request.body_too_large = true;
  } else {
    char buffer[16384];
    while (true) {
      const int n = mg_read(conn, buffer, sizeof(buffer));
      if (n <= 0) break;
      request.body.append(buffer, static_cast<size_t>(n));
      if (request.body.size() > limit) {
        request.body.clear();
        request.body_too_large = true;
        break;
      }
    }
  }
  const HttpEdgeResponse r = handler.Handle(request);
  mg_response_header_start(conn, r.status);
  if (!r.content_type.empty()) {
    mg_response_header_add(conn, "Content-Type", r.content_type.c_str(), -1);
  }
  const std::string length = absl::StrCat(r.body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  bool cache_control = false;
  for (const auto& [name, value] : r.headers) {
    if (absl::EqualsIgnoreCase(name, "content-length") ||
        absl::EqualsIgnoreCase(name, "content-type")) {
      continue;
    }
    if (absl::EqualsIgnoreCase(name, "cache-control")) cache_control = true;
    mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  }
  if (!cache_control) {
    mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  }
  if (request.body_too_large) {
    mg_response_header_add(conn, "Connection", "close", -1);
  }
  mg_response_header_send(conn);
  if (method != "HEAD" && !r.body.empty()) {
    mg_write(conn, r.body.data(), r.body.size());
  }
  return r.status;
}

void HttpEdge::SetCollectables(
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables) {
  absl::MutexLock lock(&mu_);
  collectables_ = std::move(collectables);
}

std::string HttpEdge::MetricsText() const {
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables;
  {
    absl::MutexLock lock(&mu_);
    collectables = collectables_;
  }
  if (collectables.empty()) return "";
  std::vector<prometheus::MetricFamily> families;
  for (const auto& c : collectables) {
    std::vector<prometheus::MetricFamily> f = c->Collect();
    families.insert(families.end(), std::make_move_iterator(f.begin()),
                    std::make_move_iterator(f.end()));
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

int HttpEdge::Serve(mg_connection* conn) const {
  const mg_request_info* req = mg_get_request_info(conn);
  const absl::string_view method =
      req->request_method != nullptr ? req->request_method : "";
  const absl::string_view path =
      req->local_uri != nullptr ? req->local_uri : "";
  const bool head = method == "HEAD";
  if (absl::StartsWith(path, "/hooks/")) return ServeHook(conn, method, path);
  if (std::shared_ptr<HttpHandler> handler = FindHandler(path)) {
    return ServeHandler(conn, *handler, method, path);
  }
  if (method != "GET" && !head) {
    Respond(conn, head, 405, kTextPlain,
            absl::StrCat(method, " is not allowed: use GET\n"));
    return 405;
  }

  if (path == "/livez" || path == "/readyz") {
    const HealthState::Report r = path == "/livez"
                                      ? options_.health->Liveness()
                                      : options_.health->Readiness();
    const int status = r.ok ? 200 : 503;
    Respond(conn, head, status, kTextPlain, r.reason + "\n");
    return status;
  }

  Principal who = Principal::Unrestricted();
  if (options_.authorizer != nullptr) {
    std::vector<absl::string_view> authorization;
    for (int i = 0; i < req->num_headers; ++i) {
      const mg_header& h = req->http_headers[i];
      if (h.name != nullptr && h.value != nullptr &&
          absl::EqualsIgnoreCase(h.name, "authorization")) {
        authorization.push_back(h.value);
      }
    }
    absl::StatusOr<Principal> p =
        options_.authorizer->AuthenticateHeader(authorization);
    if (!p.ok()) {
      Respond(conn, head, 401, kTextPlain,
              absl::StrCat(p.status().message(), "\n"), /*challenge=*/true);
      return 401;
    }
    who = *std::move(p);
  }

  if (path == "/metrics") {
    if (!who.all_tenants() ||
        !(who.Has(Role::kRead) || who.Has(Role::kAdmin))) {
      Respond(conn, head, 403, kTextPlain,
              absl::StrCat("token \"", who.name, "\" (tenant=", who.tenant,
                           " roles=", who.RoleList(),
                           ") may not read /metrics: it needs tenant=* and "
                           "role read or admin\n"));
      return 403;
    }
    const std::string text = MetricsText();
    if (text.empty()) {
      Respond(conn, head, 503, kTextPlain,
              "starting: metrics are served once recovery is done\n");
      return 503;
    }
    Respond(conn, head, 200, kPrometheusText, text);
    return 200;
  }
  Respond(conn, head, 404, kTextPlain,
          absl::StrCat("no such path: ", path,
                       " (served: /metrics, /livez, /readyz)\n"));
  return 404;
}

}  // namespace depositd::daemon
