#pragma once
#include <napi.h>

namespace nova {

// mkfifo(path: string, mode: number): void — creates a named pipe (mkfifo(3)),
// so the pipe transport needs no `mkfifo` child process per connection.
Napi::Value Mkfifo(const Napi::CallbackInfo& info);

}  // namespace nova
