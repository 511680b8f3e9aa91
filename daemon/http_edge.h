// HttpEdge: depositd's one HTTP listener (--http-listen), beside gRPC, for
// what the ecosystem reaches by HTTP: Prometheus' /metrics and the /livez
// and /readyz probes today; the console and native webhooks later
// (design.md, "The HTTP edge").
//
// Served by civetweb (Debian libcivetweb-dev), an embedded C server with
// its own small thread pool; prometheus-cpp's own exposer is built on it.
//
//   GET /livez    open; 200 "alive: serving" while the process runs
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
// Transport: plain HTTP. The caller refuses a non-loopback address without
// a token file, and with --tls-cert (gRPC on TLS) keeps this listener on
// loopback, where no token crosses a network in clear (TLS for the HTTP
// edge is a later step).
//
// Capacity: Options::threads connections at once; more wait in civetweb's
// queue until one ends, and a client that connects and sends nothing holds
// a worker up to the 10 s request timeout. Enough for a scraper, probes
// and operators on loopback; the console (a later step) will need its
// sizing revisited.
//
// Serving never blocks a shard: handlers read HealthState (atomics) and
// the collectables, which read thread-safe snapshots only.
//
// Thread-safety: thread-safe. Handlers run on civetweb's worker threads;
// the borrowed authorizer, health state and collectables must outlive
// Stop() (or the destructor), which waits for running handlers.
#ifndef DEPOSITD_DAEMON_HTTP_EDGE_H_
#define DEPOSITD_DAEMON_HTTP_EDGE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "daemon/auth.h"
#include "daemon/health_state.h"
#include "daemon/http_handler.h"
#include "daemon/http_hook.h"
#include "prometheus/collectable.h"

struct mg_context;
struct mg_connection;

namespace depositd::daemon {

class HttpEdge {
 public:
  struct Options {
    // IPv4 host:port to listen on: "127.0.0.1:9474", "localhost:9474";
    // port 0 picks a free port (see port()). Not IPv6: Debian's civetweb
    // 1.15 is built without it.
    std::string listen;
    // Null: authentication off (the caller allows only loopback then).
    const Authorizer* authorizer = nullptr;
    // Required.
    const HealthState* health = nullptr;
    // What /metrics serializes, in order (e.g. a prometheus::Registry for
    // recorded metrics and a MetricsCollector for snapshot ones). May be
    // given later with SetCollectables; until then /metrics answers 503.
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables;
    // civetweb worker threads. civetweb gives a connection one thread for
    // its whole life, idle keep-alive included (cut after 2 s idle, 10 s
    // per request), so this is the number of clients served at once: a
    // scraper, the probes and an operator's curl each hold one.
    int threads = 4;
  };

  // Binds and starts serving. INVALID_ARGUMENT when the address is not
  // host:port, is IPv6, or health is missing; UNAVAILABLE with civetweb's
  // reason ("cannot listen on 127.0.0.1:9474 (--http-listen): cannot bind
  // to 127.0.0.1:9474: 98 (Address already in use)") when it cannot listen.
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
  explicit HttpEdge(Options options)
      : options_(options), collectables_(std::move(options.collectables)) {}
  static int Handle(mg_connection* conn, void* self);
  int Serve(mg_connection* conn) const;
  std::string MetricsText() const;
  // POST /hooks/*: reads the body (up to the handler's limit) and answers.
  int ServeHook(mg_connection* conn, absl::string_view method,
                absl::string_view path) const;

  // The handler registered for the longest prefix of `path`, or null.
  std::shared_ptr<HttpHandler> FindHandler(absl::string_view path) const;
  int ServeHandler(mg_connection* conn, HttpHandler& handler,
                   absl::string_view method, absl::string_view path) const;

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
  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_HTTP_EDGE_H_
