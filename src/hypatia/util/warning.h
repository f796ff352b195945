// Warnings from the core (disconnected inputs, unused inputs, DebugMode's advice), routed to one handler.
#pragma once
#include <functional>
#include <string>

namespace hypatia {

/// Receives every warning the core emits. The default writes "UserWarning: <message>" to
/// std::cerr; the Python package installs one that calls warnings.warn, so Python code can
/// filter, record or turn them into errors like any other warning.
using WarningHandler = std::function<void(const std::string& message)>;

/// Replaces the handler (an empty one restores the default); returns the previous one.
WarningHandler set_warning_handler(WarningHandler handler);

/// Emits a warning through the current handler. Safe from any thread; the handler runs on
/// the calling thread.
void warn(const std::string& message);

}  // namespace hypatia
