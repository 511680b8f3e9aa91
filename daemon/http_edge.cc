#include "daemon/http_edge.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <functional>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "daemon/log.h"
#include "httplib.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace depositd::daemon {
namespace {

constexpr char kTextPlain[] = "text/plain; charset=utf-8";
constexpr char kPrometheusText[] = "text/plain; version=0.0.4; charset=utf-8";

// An idle keep-alive connection is closed after this long; a request must
// arrive (and a response be taken) within the read/write timeouts.
constexpr time_t kKeepAliveSeconds = 2;
constexpr size_t kKeepAliveRequests = 100;
constexpr time_t kReadWriteTimeoutSeconds = 10;

// The server's workers: `threads` threads, and at most `threads` accepted
// connections waiting for one. Enqueue blocks the accept thread when the
// queue is full, so further clients wait in the kernel's listen backlog
// instead of in memory. (httplib's own ThreadPool queues without bound.)
class BoundedPool : public httplib::TaskQueue {
 public:
  explicit BoundedPool(int threads) : capacity_(threads) {
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { Work(); });
  }

  void enqueue(std::function<void()> fn) override {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](BoundedPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
          return p->shutdown_ || p->jobs_.size() < p->capacity_;
        },
        this));
    jobs_.push_back(std::move(fn));
  }

  void shutdown() override {
    {
      absl::MutexLock lock(&mu_);
      shutdown_ = true;
    }
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

 private:
  void Work() {
    while (true) {
      std::function<void()> job;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](BoundedPool* p) ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) {
              return p->shutdown_ || !p->jobs_.empty();
            },
            this));
        if (jobs_.empty()) return;  // shut down and drained
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }

  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

// Splits "host:port" / "[v6]:port"; false when it is neither.
bool SplitListen(const std::string& listen, std::string* host, int* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), port) || *port < 0 ||
      *port > 65535) {
    return false;
  }
  *host = listen.substr(0, colon);
  if (host->front() == '[') {
    if (host->size() < 3 || host->back() != ']') return false;
    *host = host->substr(1, host->size() - 2);
  }
  return !host->empty();
}

// Why binding host:port fails, from the kernel (httplib only says that it
// did): "Address already in use", "Cannot assign requested address".
std::string BindFailure(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = absl::StrCat(port);
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
      rc != 0) {
    return absl::StrCat("cannot resolve ", host, ": ", gai_strerror(rc));
  }
  std::string reason = "cannot bind";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) {
      reason = strerror(errno);
      continue;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    const bool bound = bind(fd, a->ai_addr, a->ai_addrlen) == 0;
    const int bind_errno = errno;
    close(fd);
    if (!bound) {
      reason = strerror(bind_errno);
      break;
    }
  }
  freeaddrinfo(found);
  return reason;
}

// OpenSSL's last error as text (and the queue cleared).
std::string OpenSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(e, text, sizeof(text));
  return text;
}

// Loads the certificate chain and key into `ctx`: TLS 1.2 or later.
absl::Status SetUpTls(SSL_CTX* ctx, const std::string& cert_file,
                      const std::string& key_file) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
                               SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION |
                               SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-cert ", cert_file,
                     ": cannot load the certificate chain for the HTTP "
                     "edge: ",
                     OpenSslError()));
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) !=
      1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-key ", key_file,
        ": cannot load the private key for the HTTP edge: ", OpenSslError()));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tls-key ", key_file, " does not match --tls-cert ", cert_file));
  }
  return absl::OkStatus();
}

// The request's query string (raw, after '?'), from its target.
std::string QueryOf(const httplib::Request& req) {
  const size_t q = req.target.find('?');
  return q == std::string::npos ? "" : req.target.substr(q + 1);
}

// httplib adds these to a request's headers itself; they are not the
// client's.
bool IsServerHeader(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" ||
         name == "LOCAL_ADDR" || name == "LOCAL_PORT";
}

// Reads the body into *body (reader null: none was sent), at most `limit`
// bytes. Over the limit the rest is read and dropped (so the connection
// stays in step for the next request) and the answer is true: too large.
bool ReadBody(const httplib::Request& req, const httplib::ContentReader* reader,
              size_t limit, std::string* body) {
  if (reader == nullptr) return false;
  // Without Content-Length or chunked encoding a request has no body
  // (httplib would read to the end of the connection).
  if (!req.has_header("Content-Length") &&
      !absl::StrContains(
          absl::AsciiStrToLower(req.get_header_value("Transfer-Encoding")),
          "chunked")) {
    return false;
  }
  bool too_large = false;
  if (req.is_multipart_form_data()) {
    // Not taken apart here: drained, and reported too large (413) so that
    // no handler mistakes it for an empty body.
    (*reader)([](const httplib::MultipartFormData&) { return true; },
              [](const char*, size_t) { return true; });
    body->clear();
    return true;
  }
  if (req.has_header("Content-Length")) {
    uint64_t declared = 0;
    if (absl::SimpleAtoi(req.get_header_value("Content-Length"), &declared) &&
        declared > limit) {
      too_large = true;
    }
  }
  (*reader)([&](const char* data, size_t n) {
    if (too_large || body->size() + n > limit) {
      too_large = true;
      body->clear();
      return true;  // drained, not kept
    }
    body->append(data, n);
    return true;
  });
  if (too_large) body->clear();
  return too_large;
}

void Respond(httplib::Response& res, int status, const char* content_type,
             std::string body, bool challenge = false) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  if (challenge)
    res.set_header("WWW-Authenticate", "Bearer realm=\"depositd\"");
  res.set_content(std::move(body), content_type);
}

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

absl::StatusOr<std::unique_ptr<HttpEdge>> HttpEdge::Start(Options options) {
  if (options.health == nullptr) {
    return absl::InvalidArgumentError("HttpEdge needs a health state");
  }
  std::string host;
  int port = -1;
  if (!SplitListen(options.listen, &host, &port)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--http-listen=", options.listen,
                     " is not host:port (e.g. 127.0.0.1:9474 or [::1]:9474)"));
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "the HTTP edge needs both --tls-cert and --tls-key, or neither");
  }
  if (options.threads < 1) {
    return absl::InvalidArgumentError("the HTTP edge needs at least 1 thread");
  }

  std::unique_ptr<HttpEdge> edge(new HttpEdge(std::move(options)));
  const Options& o = edge->options_;
  if (o.tls_cert_file.empty()) {
    edge->server_ = std::make_unique<httplib::Server>();
  } else {
    absl::Status tls = absl::OkStatus();
    edge->server_ = std::make_unique<httplib::SSLServer>([&](SSL_CTX& ctx) {
      tls = SetUpTls(&ctx, o.tls_cert_file, o.tls_key_file);
      return tls.ok();
    });
    if (!tls.ok()) return tls;
    if (!edge->server_->is_valid()) {
      return absl::InternalError(absl::StrCat(
          "cannot set up TLS for the HTTP edge: ", OpenSslError()));
    }
  }
  httplib::Server& server = *edge->server_;
  const int threads = o.threads;
  server.new_task_queue = [threads] { return new BoundedPool(threads); };
  server.set_keep_alive_timeout(kKeepAliveSeconds);
  server.set_keep_alive_max_count(kKeepAliveRequests);
  server.set_read_timeout(kReadWriteTimeoutSeconds, 0);
  server.set_write_timeout(kReadWriteTimeoutSeconds, 0);
  // A response's header and body may be two writes; with Nagle the body
  // waited for the client's delayed ACK (40 ms per webhook on keep-alive,
  // bench/results/feeds_s8.txt).
  server.set_tcp_nodelay(true);
  // SO_REUSEADDR only (a restart may bind while old connections linger).
  // httplib's default adds SO_REUSEPORT, which would let a second daemon
  // bind the same port and silently take half the connections.
  server.set_socket_options([](int sock) {
    const int one = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  });

  HttpEdge* self = edge.get();
  const auto plain = [self](const httplib::Request& req,
                            httplib::Response& res) {
    self->Serve(req, res, nullptr);
  };
  const auto with_body = [self](const httplib::Request& req,
                                httplib::Response& res,
                                const httplib::ContentReader& reader) {
    self->Serve(req, res, &reader);
  };
  server.Get(".*", plain);  // GET and HEAD
  server.Options(".*", plain);
  server.Post(".*", with_body);
  server.Put(".*", with_body);
  server.Patch(".*", with_body);
  server.Delete(".*", with_body);

  const int bound = port == 0 ? server.bind_to_any_port(host)
                              : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", o.listen,
                     " (--http-listen): ", BindFailure(host, port)));
  }
  edge->port_ = bound;
  edge->listener_ = std::thread([self] { self->server_->listen_after_bind(); });
  // Stop() must see the server running, or it would not close the socket.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!server.is_running() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  return edge;
}

HttpEdge::HttpEdge(Options options)
    : options_(options), collectables_(std::move(options.collectables)) {}

HttpEdge::~HttpEdge() { Stop(); }

void HttpEdge::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (listener_.joinable()) listener_.join();
}

void HttpEdge::SetHooks(std::shared_ptr<HttpHookHandler> hooks, bool enabled) {
  absl::MutexLock lock(&mu_);
  hooks_ = enabled ? std::move(hooks) : nullptr;
  hooks_set_ = true;
}

void HttpEdge::ServeHook(const httplib::Request& req, httplib::Response& res,
                         const httplib::ContentReader* reader) const {
  std::shared_ptr<HttpHookHandler> hooks;
  bool set = false;
  {
    absl::MutexLock lock(&mu_);
    hooks = hooks_;
    set = hooks_set_;
  }
  if (hooks == nullptr) {
    std::string drained;
    ReadBody(req, reader, 0, &drained);
    Respond(res, set ? 404 : 503, kTextPlain,
            set ? absl::StrCat("no such path: ", req.path,
                               " (no feed configured for it)\n")
                : "starting: webhooks are served once recovery is done; "
                  "retry\n");
    return;
  }
  if (req.method != "POST") {
    std::string drained;
    ReadBody(req, reader, 0, &drained);
    Respond(res, 405, kTextPlain,
            absl::StrCat(req.method, " is not allowed: webhooks are POSTed\n"));
    return;
  }
  HttpHookRequest request;
  request.path = req.path;
  request.query = QueryOf(req);
  for (const auto& [name, value] : req.headers) {
    if (IsServerHeader(name)) continue;
    request.headers.emplace(absl::AsciiStrToLower(name), value);
  }
  request.body_too_large =
      ReadBody(req, reader, hooks->max_body_bytes(), &request.body);
  const HttpHookResponse r = hooks->Handle(request);
  res.status = r.status;
  res.set_header("Cache-Control", "no-store");
  if (request.body_too_large) res.set_header("Connection", "close");
  if (!r.content_type.empty() || !r.body.empty()) {
    res.set_content(r.body, r.content_type.empty() ? "application/octet-stream"
                                                   : r.content_type.c_str());
  }
}

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

void HttpEdge::ServeHandler(HttpHandler& handler, const httplib::Request& req,
                            httplib::Response& res,
                            const httplib::ContentReader* reader) const {
  HttpEdgeRequest request;
  request.method = req.method;
  request.path = req.path;
  request.query = QueryOf(req);
  for (const auto& [name, value] : req.headers) {
    if (IsServerHeader(name)) continue;
    request.headers.emplace(absl::AsciiStrToLower(name), value);
  }
  request.remote_addr = req.remote_addr;
  request.remote_port = req.remote_port;
  request.tls = req.ssl != nullptr;
  request.body_too_large =
      ReadBody(req, reader, handler.max_body_bytes(), &request.body);
  const HttpEdgeResponse r = handler.Handle(request);
  res.status = r.status;
  bool cache_control = false;
  for (const auto& [name, value] : r.headers) {
    if (absl::EqualsIgnoreCase(name, "content-length") ||
        absl::EqualsIgnoreCase(name, "content-type")) {
      continue;
    }
    if (absl::EqualsIgnoreCase(name, "cache-control")) cache_control = true;
    res.headers.emplace(name, value);
  }
  if (!cache_control) res.set_header("Cache-Control", "no-store");
  if (request.body_too_large) res.set_header("Connection", "close");
  if (!r.content_type.empty() || !r.body.empty()) {
    res.set_content(r.body, r.content_type.empty() ? "application/octet-stream"
                                                   : r.content_type.c_str());
  }
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

void HttpEdge::Serve(const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader* reader) const {
  const std::string& path = req.path;
  if (absl::StartsWith(path, "/hooks/")) return ServeHook(req, res, reader);
  if (std::shared_ptr<HttpHandler> handler = FindHandler(path)) {
    return ServeHandler(*handler, req, res, reader);
  }
  if (reader != nullptr) {  // the edge's own paths take no body
    std::string drained;
    ReadBody(req, reader, 0, &drained);
  }
  if (req.method != "GET" && req.method != "HEAD") {
    Respond(res, 405, kTextPlain,
            absl::StrCat(req.method, " is not allowed: use GET\n"));
    return;
  }

  if (path == "/livez" || path == "/readyz") {
    const HealthState::Report r = path == "/livez"
                                      ? options_.health->Liveness()
                                      : options_.health->Readiness();
    Respond(res, r.ok ? 200 : 503, kTextPlain, r.reason + "\n");
    return;
  }

  Principal who = Principal::Unrestricted();
  if (options_.authorizer != nullptr) {
    std::vector<absl::string_view> authorization;
    for (const auto& [name, value] : req.headers) {
      if (absl::EqualsIgnoreCase(name, "authorization")) {
        authorization.push_back(value);
      }
    }
    absl::StatusOr<Principal> p =
        options_.authorizer->AuthenticateHeader(authorization);
    if (!p.ok()) {
      Respond(res, 401, kTextPlain, absl::StrCat(p.status().message(), "\n"),
              /*challenge=*/true);
      return;
    }
    who = *std::move(p);
  }

  if (path == "/metrics") {
    if (!who.all_tenants() ||
        !(who.Has(Role::kRead) || who.Has(Role::kAdmin))) {
      Respond(res, 403, kTextPlain,
              absl::StrCat("token \"", who.name, "\" (tenant=", who.tenant,
                           " roles=", who.RoleList(),
                           ") may not read /metrics: it needs tenant=* and "
                           "role read or admin\n"));
      return;
    }
    std::string text = MetricsText();
    if (text.empty()) {
      Respond(res, 503, kTextPlain,
              "starting: metrics are served once recovery is done\n");
      return;
    }
    Respond(res, 200, kPrometheusText, std::move(text));
    return;
  }
  Respond(res, 404, kTextPlain,
          absl::StrCat("no such path: ", path,
                       " (served: /metrics, /livez, /readyz)\n"));
}

}  // namespace depositd::daemon
