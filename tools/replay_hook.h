// `depositctl replay-hook PLATFORM FILE`: sends a captured webhook request
// (a captured-request file, feeds/captured_request.h and docs/feeds.md) to
// depositd's /hooks/PLATFORM, signed again with a test secret the way the
// platform signs (feeds/request_signer.h), so an integrator can try a
// payload copied from the platform's console against a daemon configured
// with that secret. Prints the answer's status and body; exit 0 on a 2xx,
// 1 on any other answer, 2 on usage errors and when no answer came.
//
// Options (besides the global --timeout, --token, --tls, --tls-ca,
// --tls-cert/--tls-key, which apply to the HTTP edge here):
//   --edge URL          the HTTP edge (default $DEPOSITD_EDGE or
//                       http://127.0.0.1:9474)
//   --secret-file FILE  the app secret / partner key (not for amazon)
//   --app-key KEY       app key (TikTok, Douyin app-id, Temu) or partner id
//                       (Shopee); default: the file's app-id / x-tm-app-key
//   --callback-url URL  Shopee: the URL as configured (default: the URL
//                       posted to)
//   --tenant T          Amazon: ?tenant=T (a token of every tenant, or none)
//   --signed-at TIME    the time written into signed timestamps, RFC 3339
//                       (default now)
// Amazon is sent with `Authorization: Bearer <--token>` when a token is
// given; the platforms' own hooks never get the token.
#ifndef DEPOSITD_TOOLS_REPLAY_HOOK_H_
#define DEPOSITD_TOOLS_REPLAY_HOOK_H_

#include "tools/command_line.h"

namespace depositd::tools {

// Runs the command; `cl.positionals` is {"replay-hook", PLATFORM, FILE}.
int RunReplayHook(const CommandLine& cl);

}  // namespace depositd::tools

#endif  // DEPOSITD_TOOLS_REPLAY_HOOK_H_
