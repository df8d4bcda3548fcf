#pragma once
#include <napi.h>

namespace nova {

// mkfifo(path: string, mode: number): void — creates a named pipe (mkfifo(3)),
// so the pipe transport needs no `mkfifo` child process per connection. A path
// containing NUL is a TypeError and mode must be an integer in 0..0o7777
// (RangeError otherwise): neither is truncated or masked into another value.
Napi::Value Mkfifo(const Napi::CallbackInfo& info);

}  // namespace nova
