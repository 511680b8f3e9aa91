#include "notifier/digest.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "notifier/phrases.h"

namespace depositd::notifier {

AlertMessage RenderDigest(absl::Span<const v1::Alert> alerts,
                          absl::string_view language) {
  AlertMessage m;
  if (alerts.empty()) return m;
  const bool zh = language == "zh-CN";
  const std::string& tenant = alerts.front().key().tenant();
  size_t critical = 0;
  for (const v1::Alert& a : alerts) {
    if (a.severity() == v1::CRITICAL && a.state() == v1::FIRING) ++critical;
  }
  if (zh) {
    m.title = absl::StrCat(
        "租户 ", tenant, " 的 ", alerts.size(), " 条告警",
        critical > 0 ? absl::StrCat("（", critical, " 条严重）") : "");
  } else {
    m.title = absl::StrCat(
        alerts.size(), alerts.size() == 1 ? " alert" : " alerts",
        " for tenant ", tenant,
        critical > 0 ? absl::StrCat(" (", critical, " critical)") : "");
  }
  std::vector<std::string> text = {m.title};
  std::vector<std::string> md = {absl::StrCat("### ", m.title)};
  for (const v1::Alert& a : alerts) {
    const std::string line =
        absl::StrCat(RenderAlert(a, language).title, " · ",
                     PhrasesFor(language).labels().sequence, " ", a.sequence());
    text.push_back(absl::StrCat("- ", line));
    md.push_back(absl::StrCat("> ", line));
  }
  const std::string pointer = FullAlertPointer(tenant, language);
  text.push_back(pointer);
  md.push_back(pointer);
  m.text = absl::StrJoin(text, "\n");
  // Blank lines: DingTalk's Markdown joins single line breaks.
  m.markdown = absl::StrJoin(md, "\n\n");
  return m;
}

}  // namespace depositd::notifier
