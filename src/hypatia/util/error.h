// User-facing error types: each carries a kind that the Python layer maps to TypeError, ValueError, ...
#pragma once
#include <cassert>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>

namespace hypatia {

/// What kind of mistake an error reports; the bindings map each kind to one Python exception class.
enum class ErrorKind {
  Type,               // wrong dtype, ndim, format, or a variable of the wrong type
  Value,              // wrong shape, bad index, malformed sparse arrays
  Index,              // out-of-range index (Python IndexError)
  NotImplemented,     // a gradient or feature that does not exist
  Runtime,            // anything else
  DisconnectedInput,  // grad: cost does not depend on a wrt input (theano.gradient.DisconnectedInputError)
  NullTypeGrad,       // grad: a gradient is undefined (theano.gradient.NullTypeGradError)
  MissingInput,       // function: a graph input was not given (theano.compile.MissingInputError)
  UnusedInput,        // function: an input is not used (theano.compile.UnusedInputError)
  Memory,             // an allocation too big to make or that failed (Python MemoryError)
};

/// Base of every error Hypatia raises for a user mistake. Messages start with "[op_name]".
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

/// Concatenates its arguments with operator<< into one string; used to build messages.
template <class... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

template <class... Args>
[[noreturn]] void raise(ErrorKind kind, const Args&... args) {
  throw Error(kind, str_cat(args...));
}
template <class... Args>
[[noreturn]] void type_error(const Args&... args) {
  raise(ErrorKind::Type, args...);
}
template <class... Args>
[[noreturn]] void value_error(const Args&... args) {
  raise(ErrorKind::Value, args...);
}
template <class... Args>
[[noreturn]] void memory_error(const Args&... args) {
  raise(ErrorKind::Memory, args...);
}

/// Any exception as a hypatia::Error, so that callers that add context (the VM names the node)
/// keep the right kind: an Error keeps its kind and message; std::bad_alloc and
/// std::length_error (a container asked for more than it can hold) become ErrorKind::Memory;
/// anything else is Runtime. `op` prefixes the messages of non-Error exceptions: "[op] ...".
inline Error as_error(const std::exception& e, const std::string& op) {
  if (const auto* he = dynamic_cast<const Error*>(&e)) return *he;
  if (dynamic_cast<const std::bad_alloc*>(&e))
    return Error(ErrorKind::Memory, str_cat("[", op, "] out of memory (", e.what(), ")"));
  if (dynamic_cast<const std::length_error*>(&e))
    return Error(ErrorKind::Memory, str_cat("[", op, "] allocation too big (", e.what(), ")"));
  return Error(ErrorKind::Runtime, e.what());
}

}  // namespace hypatia

/// A user-facing check: raises hypatia::Error of the given kind when cond is false.
#define HYPATIA_CHECK(cond, kind, ...)                  \
  do {                                                  \
    if (!(cond)) ::hypatia::raise(kind, __VA_ARGS__);   \
  } while (0)

/// An internal invariant: a failure is a bug in Hypatia, not a user mistake.
#define HYPATIA_ASSERT(cond) assert(cond)
