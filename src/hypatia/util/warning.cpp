// The process-wide warning handler: a default that prints, replaceable by the Python package.
#include "hypatia/util/warning.h"

#include <iostream>
#include <memory>
#include <mutex>

namespace hypatia {

namespace {
std::mutex& handler_mutex() {
  static std::mutex mu;
  return mu;
}
std::shared_ptr<WarningHandler>& handler_slot() {
  static std::shared_ptr<WarningHandler> slot;
  return slot;
}
}  // namespace

WarningHandler set_warning_handler(WarningHandler handler) {
  std::lock_guard<std::mutex> lock(handler_mutex());
  auto& slot = handler_slot();
  WarningHandler old = slot ? *slot : WarningHandler{};
  slot = handler ? std::make_shared<WarningHandler>(std::move(handler)) : nullptr;
  return old;
}

void warn(const std::string& message) {
  std::shared_ptr<WarningHandler> h;
  {
    std::lock_guard<std::mutex> lock(handler_mutex());
    h = handler_slot();
  }
  if (h) (*h)(message);
  else std::cerr << "UserWarning: " << message << "\n";
}

}  // namespace hypatia
