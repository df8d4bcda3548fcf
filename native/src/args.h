// Argument checks shared by the addon's functions: the addon must never index
// outside a typed array, whatever the façade passed. Each returns false having
// thrown a TypeError or RangeError that names the function and the argument
// (the message is only built then: these run on every hot call).
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>

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

}  // namespace nova
