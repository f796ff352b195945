// Mode strings: a base rewrite set and the tags it includes, excludes or requires (Theano's Mode queries).
#pragma once
#include <string>
#include <vector>

namespace hypatia {

/// A parsed mode string "BASE[(+|-|&)tag]...": BASE is FAST_RUN, FAST_COMPILE or None; "+tag"
/// adds the rewrites tagged `tag` (Theano's including), "-tag" leaves them out (excluding) and
/// "&tag" keeps only rewrites that carry it (requiring). "FAST_RUN-fusion-inplace",
/// "FAST_RUN&merge" (only the merge phases). None takes no tags (it runs no rewrites).
struct ModeSpec {
  std::string base = "FAST_RUN";
  std::vector<std::string> including, excluding, requiring;
};

/// Parses a mode string; ValueError "[function] unknown mode ..." naming the accepted forms.
ModeSpec parse_mode(const std::string& mode);
/// The canonical string of a spec (base, then -excluding, +including, &requiring).
std::string mode_string(const ModeSpec& spec);

}  // namespace hypatia
