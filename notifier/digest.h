// Digest messages: several pending alert transitions of one tenant folded
// into one chat message, when a robot's pace (send_pace.h) would otherwise
// hold them back for minutes ("12 alerts for tenant acme: …"). Each
// transition keeps one line (its title, in order), so a burst reaches people
// as a few messages and nothing is hidden; the full alerts are one command
// away (FullAlertPointer).
//
// Pure: no I/O, no clock. Thread-safe (free functions).
#ifndef DEPOSITD_NOTIFIER_DIGEST_H_
#define DEPOSITD_NOTIFIER_DIGEST_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "depositd/v1/alerts.pb.h"
#include "notifier/message.h"

namespace depositd::notifier {

// The digest of `alerts` (non-empty, one tenant: the first one's), in
// `language`: title "12 alerts for tenant acme (3 critical)" / "租户 acme 的
// 12 条告警（3 条严重）", then one line per transition in the given order
// (its RenderAlert title and sequence), then FullAlertPointer. `markdown`
// has one quoted line per transition ("> "), which DingTalk, Feishu and
// WeCom all render as separate lines.
AlertMessage RenderDigest(absl::Span<const v1::Alert> alerts,
                          absl::string_view language);

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_DIGEST_H_
