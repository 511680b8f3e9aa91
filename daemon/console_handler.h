// ConsoleHandler: serves the ops web console's static files under
// /console/ (an HttpHandler given to the HTTP edge with
// HttpEdge::SetHandler("/console", ...)). The files are embedded in the
// binary (console/console_assets.h); this handler only looks them up:
//
//   GET /console            302 to /console/
//   GET /console/<file>     the asset at "<file>" (e.g. "assets/js/app.js")
//                           with its content type; 404 for a missing one
//                           under assets/
//   GET /console/<other>    index.html (client-side routing: /console/
//                           shops/T/S and /console/alerts are pages of the
//                           one-page app)
//   other methods           405
//
// Every answer carries the console's strict Content-Security-Policy
// (kConsoleCsp: only the console's own scripts, styles and API; no inline
// script, no framing), X-Content-Type-Options: nosniff, Referrer-Policy:
// no-referrer, and Cache-Control: no-cache (the browser revalidates, so a
// new daemon's files are seen at once). The files hold no data: they are
// served without authentication, and the page then signs in through
// /api/v1/session.
//
// Thread-safety: thread-safe (the lookup must be).
#ifndef DEPOSITD_DAEMON_CONSOLE_HANDLER_H_
#define DEPOSITD_DAEMON_CONSOLE_HANDLER_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "daemon/http_handler.h"

namespace depositd::daemon {

inline constexpr char kConsoleCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
    "data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// One embedded file.
struct ConsoleFile {
  absl::string_view content_type;
  absl::string_view body;
};

class ConsoleHandler final : public HttpHandler {
 public:
  // The file at `path` relative to /console/ ("index.html",
  // "assets/js/app.js"),
  // or nullopt.
  using Lookup = std::function<std::optional<ConsoleFile>(absl::string_view)>;

  explicit ConsoleHandler(Lookup lookup) : lookup_(std::move(lookup)) {}

  size_t max_body_bytes() const override { return 0; }
  HttpEdgeResponse Handle(const HttpEdgeRequest& request) override;

 private:
  const Lookup lookup_;
};

}  // namespace depositd::daemon

#endif  // DEPOSITD_DAEMON_CONSOLE_HANDLER_H_
