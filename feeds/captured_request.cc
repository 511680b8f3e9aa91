#include "feeds/captured_request.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace depositd::feeds {
namespace {

// The next line of `text` from `*pos` (without its LF or CRLF); advances
// `*pos` past it. False at the end.
bool NextLine(absl::string_view text, size_t* pos, absl::string_view* line) {
  if (*pos >= text.size()) return false;
  size_t end = text.find('\n', *pos);
  if (end == absl::string_view::npos) end = text.size();
  *line = text.substr(*pos, end - *pos);
  if (absl::EndsWith(*line, "\r")) line->remove_suffix(1);
  *pos = end + 1;
  return true;
}

}  // namespace

absl::StatusOr<CapturedRequest> ParseCapturedRequest(absl::string_view text) {
  CapturedRequest out;
  size_t pos = 0;
  absl::string_view line;
  // Comments.
  size_t start = 0;
  while (NextLine(text, &pos, &line) && absl::StartsWith(line, "#")) {
    line.remove_prefix(1);
    absl::ConsumePrefix(&line, " ");
    out.comments.emplace_back(line);
    start = pos;
  }
  pos = start;
  // A JSON document right after the comments: the body alone.
  const absl::string_view rest = text.substr(start);
  if (absl::StartsWith(rest, "{") || absl::StartsWith(rest, "[")) {
    out.request.body = std::string(rest);
  } else {
    int number = static_cast<int>(out.comments.size());
    bool first = true;
    while (NextLine(text, &pos, &line) && !line.empty()) {
      ++number;
      if (first && absl::StartsWith(line, "POST ")) {
        std::vector<absl::string_view> parts =
            absl::StrSplit(line, ' ', absl::SkipEmpty());
        if (parts.size() < 2 || !absl::StartsWith(parts[1], "/")) {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", number, ": a request line is \"POST /hooks/NAME\""));
        }
        std::pair<absl::string_view, absl::string_view> target =
            absl::StrSplit(parts[1], absl::MaxSplits('?', 1));
        out.path = std::string(target.first);
        out.request.query = std::string(target.second);
        first = false;
        continue;
      }
      first = false;
      const size_t colon = line.find(':');
      const absl::string_view name =
          colon == absl::string_view::npos
              ? absl::string_view()
              : absl::StripAsciiWhitespace(line.substr(0, colon));
      if (name.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", number,
            ": not a header (\"Name: value\"); an empty line separates the "
            "headers from the body"));
      }
      out.request.headers.emplace(
          absl::AsciiStrToLower(name),
          std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
    }
    out.request.body = std::string(text.substr(std::min(pos, text.size())));
  }
  std::string& body = out.request.body;
  if (absl::EndsWith(body, "\r\n")) {
    body.resize(body.size() - 2);
  } else if (absl::EndsWith(body, "\n")) {
    body.pop_back();
  }
  return out;
}

}  // namespace depositd::feeds
