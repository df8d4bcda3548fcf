// One error type crosses the native boundary: a JS Error with `code`, `errno`
// and `syscall`. The TypeScript façade (native/index.ts) turns it into an IPCError.
#pragma once
#include <napi.h>

namespace nova {

// Throws a JS error for a failed system call; `err` is the errno value.
void ThrowSyscallError(Napi::Env env, const char* syscall, int err);

}  // namespace nova
