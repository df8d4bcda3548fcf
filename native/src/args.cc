#include "args.h"

#include <cmath>
#include <string>

namespace nova {

bool GetBytes(Napi::Env env, const Napi::CallbackInfo& info, size_t index, const char* fn, Bytes* out) {
  napi_value v = info.Length() > index ? static_cast<napi_value>(info[index]) : nullptr;
  bool isTyped = false;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  if (v == nullptr || napi_is_typedarray(env, v, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok || type != napi_uint8_array) {
    Napi::TypeError::New(env, std::string(fn) + ": buf must be a Uint8Array or Buffer").ThrowAsJavaScriptException();
    return false;
  }
  out->data = static_cast<uint8_t*>(data);
  out->length = length;
  return true;
}

bool GetInteger(Napi::Env env, const Napi::CallbackInfo& info, size_t index, const char* fn, const char* name, double max, double* out) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    Napi::TypeError::New(env, std::string(fn) + ": " + name + " must be a number").ThrowAsJavaScriptException();
    return false;
  }
  const double v = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || std::floor(v) != v || v < 0 || v > max) {
    Napi::RangeError::New(env, std::string(fn) + ": " + name + " must be an integer in 0.." + std::to_string(static_cast<uint64_t>(max)))
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = v;
  return true;
}

}  // namespace nova
