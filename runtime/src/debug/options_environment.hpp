// Where OSP_OPTIONS comes from: the process environment, read without malloc (options are
// parsed inside the first allocation). options_environment.cpp (Linux) and
// options_environment_windows.cpp implement it.
#pragma once

namespace osp::debug {

// The value of OSP_OPTIONS, or null when it is not set or must be ignored (a setuid or
// setgid program on Linux). Points into the environment or into static storage; called
// once, by the options parser.
const char* environment_options_text() noexcept;

}  // namespace osp::debug
