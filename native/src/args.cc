#include "args.h"

#include <climits>
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

bool GetFd(Napi::Env env, const Napi::CallbackInfo& info, size_t index, const char* fn, int* out) {
  // Only a JS number: a bigint, string or object is never converted. The range
  // test is written so that NaN fails it; floor() rejects fractions and
  // infinities fail the range. -0 passes as descriptor 0.
  if (info.Length() > index && info[index].IsNumber()) {
    const double v = info[index].As<Napi::Number>().DoubleValue();
    if (v >= 0 && v <= static_cast<double>(INT_MAX) && std::floor(v) == v) {
      *out = static_cast<int>(v);
      return true;
    }
  }
  Napi::TypeError::New(env, std::string(fn) + ": fd must be an integer in 0..2147483647").ThrowAsJavaScriptException();
  return false;
}

bool GetPath(Napi::Env env, const Napi::CallbackInfo& info, size_t index, const char* fn, const char* name, std::string* out) {
  if (info.Length() > index && info[index].IsString()) {
    std::string path = info[index].As<Napi::String>().Utf8Value();
    if (path.find('\0') == std::string::npos) {
      *out = std::move(path);
      return true;
    }
  }
  Napi::TypeError::New(env, std::string(fn) + ": " + name + " must be a string without NUL").ThrowAsJavaScriptException();
  return false;
}

}  // namespace nova
