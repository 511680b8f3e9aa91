#include "notifier/phrases.h"

namespace depositd::notifier {

const Phrases& PhrasesFor(absl::string_view language) {
  return language == "zh-CN" ? ChinesePhraseTable() : EnglishPhraseTable();
}

}  // namespace depositd::notifier
