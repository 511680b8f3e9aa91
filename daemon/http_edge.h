// HttpEdge: depositd's one HTTP listener (--http-listen), beside gRPC, for
// what the ecosystem reaches by HTTP: Prometheus' /metrics and the /livez
// and /readyz probes today; the console and native webhooks later
// (design.md, "The HTTP edge").
//
// Served by cpp-httplib 0.11 (Debian libcpp-httplib-dev, built there with
// OpenSSL 3): plain HTTP, or HTTPS with the gRPC listener's certificate
// and key (Options::tls_cert_file). Debian 12's civetweb 1.15, used before,
// cannot do TLS against OpenSSL 3 (docs/operations.md, "TLS on the HTTP
// edge").
//
//   GET /livez    open; 200 "alive: serving" while the process runs and its
//                 shards make progress; 503 naming a stuck shard
//                 (HealthState::Liveness)
//   GET /readyz   open; 200 "ready", or 503 with the reason (starting,
//                 draining, store not writable): HealthState::Readiness
//   GET /metrics  Prometheus text format 0.0.4 of every collectable (503
//                 while the daemon is starting and has none yet)
//   POST /hooks/* the native platform feeds (SetHooks; daemon/
//                 feed_receivers.h): authenticated by the platforms'
//                 signatures, not by bearer tokens, so they skip the token
//                 check below; 503 until SetHooks, 404 without hooks
//   SetHandler    any path under a registered prefix (e.g. /api/v1, the
//                 console), any method, to an HttpHandler (daemon/
//                 http_handler.h) that authenticates by itself: no bearer
//                 check here, like /hooks/
//   anything else 404 (after authentication, so paths are not probed)
// HEAD is answered like GET without the body; other methods get 405.
//
// Authentication (when Options::authorizer is set, i.e. --token-file):
// every path except /livez and /readyz needs `Authorization: Bearer
// <token>`, checked by the same Authorizer as gRPC. 401 (with
// WWW-Authenticate: Bearer) when the header is missing, malformed or the
// token unknown; /metrics then needs a token with tenant=* and role read
// or admin (403 naming what is missing otherwise): metrics hold no tenant
// data, but they describe the whole daemon, so they are an operator's.
//
// Transport: HTTPS when Options::tls_cert_file is set (TLS 1.2 or later;
// plain HTTP to it fails the handshake), plain HTTP otherwise. The caller
// refuses a non-loopback address without a token file. Client certificates
// (--tls-client-ca) are gRPC's only: the platforms that POST webhooks
// cannot present one, so the edge authenticates by bearer tokens and
// platform signatures.
//
// Capacity: Options::threads connections are served at once (a worker per
// connection for its life: an idle keep-alive connection holds one up to
// 2 s, a silent or slow client up to the 10 s read timeout); up to
// Options::threads more accepted connections wait in the edge's queue;
// beyond that the accept thread stops accepting and the kernel's listen
// backlog (5) holds the next ones. Nothing grows without bound.
//
// Serving never blocks a shard: handlers read HealthState (atomics) and
// the collectables, which read thread-safe snapshots only.
//
// Thread-safety: thread-safe. Handlers run on the edge's worker threads;
// the borrowed authorizer, health state and collectables must outlive
// Stop() (or the destructor), which waits for running handlers.
#ifndef DEPOSITD_DAEMON_HTTP_EDGE_H_
#define DEPOSITD_DAEMON_HTTP_EDGE_H_

#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "daemon/auth.h"
#include "daemon/health_state.h"
#include "daemon/http_handler.h"
#include "daemon/http_hook.h"
#include "prometheus/collectable.h"

namespace httplib {
class Server;
struct Request;
struct Response;
class ContentReader;
}  // namespace httplib

namespace depositd::daemon {

class HttpEdge {
 public:
  struct Options {
    // host:port to listen on: "127.0.0.1:9474", "localhost:9474",
    // "[::1]:9474"; port 0 picks a free port (see port()).
    std::string listen;
    // PEM certificate chain and unencrypted private key (--tls-cert,
    // --tls-key): both set: HTTPS; both empty: plain HTTP.
    std::string tls_cert_file;
    std::string tls_key_file;
    // Null: authentication off (the caller allows only loopback then).
    const Authorizer* authorizer = nullptr;
    // Required.
    const HealthState* health = nullptr;
    // What /metrics serializes, in order (e.g. a prometheus::Registry for
    // recorded metrics and a MetricsCollector for snapshot ones). May be
    // given later with SetCollectables; until then /metrics answers 503.
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables;
    // Worker threads: connections served at once (see Capacity above). A
    // scraper, the probes, an operator's curl and each browser connection
    // of the console hold one while connected.
    int threads = 8;
  };

  // Binds and starts serving. INVALID_ARGUMENT when the address is not
  // host:port, health is missing, or only one TLS file is given or they do
  // not load (naming the flag and file); UNAVAILABLE with the reason
  // ("cannot listen on 127.0.0.1:9474 (--http-listen): Address already in
  // use") when it cannot listen.
  static absl::StatusOr<std::unique_ptr<HttpEdge>> Start(Options options);

  // Stop().
  ~HttpEdge();
  HttpEdge(const HttpEdge&) = delete;
  HttpEdge& operator=(const HttpEdge&) = delete;

  // The bound port (the kernel's choice when the address asked for 0).
  int port() const { return port_; }

  // Replaces what /metrics serializes: the daemon starts the edge before
  // recovery (so /livez answers during a long replay) and hands over the
  // engine's collector once the engine exists.
  void SetCollectables(
      std::vector<std::shared_ptr<prometheus::Collectable>> collectables);

  // Serves POST /hooks/* with `hooks` from now on (given once the engine
  // exists; until then hooks answer 503 so the platforms retry). Null: no
  // hooks (404).
  void SetHooks(std::shared_ptr<HttpHookHandler> hooks, bool enabled = true);

  // Serves every request whose path is `path_prefix` or lies under it
  // ("/api/v1" takes "/api/v1" and "/api/v1/shops", not "/api/v10") with
  // `handler` from now on, any method, WITHOUT the edge's bearer check: the
  // handler authenticates (daemon/http_handler.h). The longest matching
  // prefix wins; the edge's own paths (/livez, /readyz, /metrics,
  // /hooks/*) cannot be taken. Null handler: removes the route (404).
  void SetHandler(std::string path_prefix,
                  std::shared_ptr<HttpHandler> handler);

  // Closes the listener and waits for running handlers. Idempotent.
  void Stop();

 private:
  explicit HttpEdge(Options options);
  // Every request; `reader` is null for methods without a body.
  void Serve(const httplib::Request& req, httplib::Response& res,
             const httplib::ContentReader* reader) const;
  std::string MetricsText() const;
  // POST /hooks/*: reads the body (up to the handler's limit) and answers.
  void ServeHook(const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader* reader) const;

  // The handler registered for the longest prefix of `path`, or null.
  std::shared_ptr<HttpHandler> FindHandler(absl::string_view path) const;
  void ServeHandler(HttpHandler& handler, const httplib::Request& req,
                    httplib::Response& res,
                    const httplib::ContentReader* reader) const;

  const Options options_;
  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_
      ABSL_GUARDED_BY(mu_);
  std::shared_ptr<HttpHookHandler> hooks_ ABSL_GUARDED_BY(mu_);
  // SetHooks was called: a missing handler means 404, not "starting".
  bool hooks_set_ ABSL_GUARDED_BY(mu_) = false;
  // SetHandler's routes: prefix (without a trailing '/') -> handler.
  std::vector<std::pair<std::string, std::shared_ptr<HttpHandler>>> handlers_
      ABSL_GUARDED_BY(mu_);
  std::unique_ptr<httplib::Server> server_;
  // Runs the server's accept loop (Server::listen_after_bind).
  std::thread listener_;
  int port_ = 0;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_HTTP_EDGE_H_
