#include "notifier/digest.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/substitute.h"
#include "notifier/phrases.h"
#include "notifier/sentences.h"

namespace depositd::notifier {

AlertMessage RenderDigest(absl::Span<const v1::Alert> alerts,
                          absl::string_view language) {
  AlertMessage m;
  if (alerts.empty()) return m;
  const Sentences& s = SentencesFor(language);
  const std::string& tenant = alerts.front().key().tenant();
  size_t critical = 0;
  for (const v1::Alert& a : alerts) {
    if (a.severity() == v1::CRITICAL && a.state() == v1::FIRING) ++critical;
  }
  m.title = absl::Substitute(
      alerts.size() == 1 ? s.digest_one : s.digest_many, tenant, alerts.size(),
      critical > 0 ? absl::Substitute(s.digest_critical, critical) : "");
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
