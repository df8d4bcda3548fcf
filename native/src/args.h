// Argument checks shared by the addon's functions: the addon must never index
// outside a typed array or act on a descriptor or path other than the one the
// caller meant, whatever the façade passed. Each returns false having thrown a
// TypeError or RangeError that names the function and the argument (the
// message is only built then: these run on every hot call).
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace nova {

// The bytes of a Uint8Array (a Buffer is one).
struct Bytes {
  uint8_t* data;
  size_t length;
};

// Argument `index`, which must be a Uint8Array: "<fn>: buf must be a Uint8Array or Buffer".
bool GetBytes(Napi::Env env, const Napi::CallbackInfo& info, size_t index, const char* fn, Bytes* out);

// Argument `index`, which must be an integer in 0..max: "<fn>: <name> must be a number" / "... an integer in 0..max".
bool GetInteger(Napi::Env env, const Napi::CallbackInfo& info, size_t index, const char* fn, const char* name, double max, double* out);

// Argument `index` as a file descriptor: a JS number holding an integer in
// 0..INT32_MAX, otherwise a TypeError "<fn>: fd must be an integer in
// 0..2147483647". The ONE check every descriptor argument goes through: a
// conversion such as Int32Value() would wrap 2**32+2 to 2 and act on stderr.
bool GetFd(Napi::Env env, const Napi::CallbackInfo& info, size_t index, const char* fn, int* out);

// Argument `index` as a file system path: a string without NUL, otherwise a
// TypeError "<fn>: <name> must be a string without NUL" (a C call would
// silently stop at the first NUL and act on another path).
bool GetPath(Napi::Env env, const Napi::CallbackInfo& info, size_t index, const char* fn, const char* name, std::string* out);

}  // namespace nova
