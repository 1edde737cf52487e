// Where device presets (devices/presets/*.ini) are found (DESIGN.md §3): the
// MOESIM_PRESETS environment variable if set, else the source or install tree
// recorded at configure time. devices/ is built without those configure-time
// definitions (they are on moesim_core), so callers pass them in, e.g.
//   presets_directory({MOESIM_SOURCE_PRESETS, MOESIM_INSTALL_PRESETS})
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace moesim {

// $MOESIM_PRESETS if set and non-empty (returned as given, even if it does not
// exist, so that a wrong setting is reported rather than silently bypassed);
// else the first of `fallbacks` that is an existing directory. Throws
// moesim::DataError listing what was tried when there is none.
std::string presets_directory(const std::vector<std::string>& fallbacks = {});

// (name, first line of the [source] citation) for every *.ini in `dir`, sorted
// by name; name = file stem (e.g. "energy_horowitz45nm"). A preset without a
// readable citation is listed with a description saying so. Throws DataError if
// `dir` is not a readable directory.
std::vector<std::pair<std::string, std::string>> list_presets(const std::string& dir);

}  // namespace moesim
