#include "notifier/sentences.h"

namespace depositd::notifier {

const Sentences& SentencesFor(absl::string_view language) {
  return language == "zh-CN" ? ChineseSentences() : EnglishSentences();
}

}  // namespace depositd::notifier
