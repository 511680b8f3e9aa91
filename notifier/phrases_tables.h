// The phrase tables behind PhrasesFor (phrases.h). Internal to notifier/.
#ifndef DEPOSITD_NOTIFIER_PHRASES_TABLES_H_
#define DEPOSITD_NOTIFIER_PHRASES_TABLES_H_

#include "notifier/phrases.h"

namespace depositd::notifier {

const Phrases& EnglishPhraseTable();  // phrases_en.cc
const Phrases& ChinesePhraseTable();  // phrases_zh.cc

}  // namespace depositd::notifier

#endif  // DEPOSITD_NOTIFIER_PHRASES_TABLES_H_
