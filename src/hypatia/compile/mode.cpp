// Parsing and printing mode strings ("FAST_RUN+tag-tag&tag").
#include "hypatia/compile/mode.h"

#include "hypatia/util/error.h"

namespace hypatia {

ModeSpec parse_mode(const std::string& mode) {
  ModeSpec spec;
  const size_t first = mode.find_first_of("+-&");
  spec.base = mode.substr(0, first);
  if (spec.base != "FAST_RUN" && spec.base != "FAST_COMPILE" && spec.base != "None")
    value_error("[function] unknown mode '", mode, "'; expected FAST_RUN, FAST_COMPILE or None (or a Mode object), "
                "optionally followed by +tag, -tag or &tag to include, exclude or require rewrites");
  for (size_t pos = first; pos != std::string::npos;) {
    const size_t next = mode.find_first_of("+-&", pos + 1);
    std::string tag = mode.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1);
    if (tag.empty()) value_error("[function] empty tag in mode '", mode, "'; expected a rewrite tag after '", mode[pos], "'");
    (mode[pos] == '+' ? spec.including : mode[pos] == '-' ? spec.excluding : spec.requiring).push_back(std::move(tag));
    pos = next;
  }
  if (spec.base == "None" && !(spec.excluding.empty() && spec.including.empty() && spec.requiring.empty()))
    value_error("[function] mode '", mode, "' adds rewrite tags to None, which runs no rewrites; expected FAST_RUN or FAST_COMPILE with tags");
  return spec;
}

std::string mode_string(const ModeSpec& spec) {
  std::string s = spec.base;
  for (const auto& t : spec.excluding) s += "-" + t;
  for (const auto& t : spec.including) s += "+" + t;
  for (const auto& t : spec.requiring) s += "&" + t;
  return s;
}

}  // namespace hypatia
