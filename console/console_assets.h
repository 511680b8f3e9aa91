// The ops web console's static files (console/index.html, console.css and
// the JavaScript modules under console/js/), embedded into the binary at
// build time by console/embed_assets.cmake: depositd serves them without
// reading any file at run time.
//
// Contract: FindConsoleAsset takes the part of a URL path after /console/
// and returns the asset served there, or nullptr. The assets are
//   index.html            the page (text/html), served at /console/
//   assets/console.css    the styles (text/css)
//   assets/js/NAME.js     the modules (text/javascript)
// Every other path under /console/ that is not under /console/assets/
// (/console/, /console/shops/T/S, /console/alerts, ...) is a page of the
// app: serve index.html for it (ConsolePageFor does that mapping from the
// whole URL path). Bodies are the files' exact bytes; content_type includes
// the charset.
//
// Thread-safety: the table is constant data built at compile time; both
// functions are safe from any thread.
#ifndef DEPOSITD_CONSOLE_CONSOLE_ASSETS_H_
#define DEPOSITD_CONSOLE_CONSOLE_ASSETS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace depositd {

struct ConsoleAsset {
  absl::string_view path;
  absl::string_view content_type;
  absl::string_view body;
};

// The asset at `path` (relative to /console/, e.g. "assets/js/app.js"), or
// nullptr.
const ConsoleAsset* FindConsoleAsset(absl::string_view path);

// What to serve for a GET of the URL path `path`: the asset itself for
// /console/assets/..., index.html for any other /console/ path (the app
// routes in the browser), nullptr for an unknown asset or a path outside
// /console/ (answer 404).
const ConsoleAsset* ConsolePageFor(absl::string_view path);

// Every asset, for tests and for listing; `*count` receives their number.
const ConsoleAsset* AllConsoleAssets(size_t* count);

}  // namespace depositd

#endif  // DEPOSITD_CONSOLE_CONSOLE_ASSETS_H_
