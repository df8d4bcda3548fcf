#include "sockets.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmath>

#include <cerrno>

#include "errors.h"

namespace nova {

namespace {

bool FdArgument(const Napi::CallbackInfo& info, const char* usage, int* fd) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, usage).ThrowAsJavaScriptException();
    return false;
  }
  double value = info[0].As<Napi::Number>().DoubleValue();
  if (!(value >= 0 && value <= 2147483647.0) || value != static_cast<double>(static_cast<int>(value))) {
    Napi::RangeError::New(env, usage).ThrowAsJavaScriptException();
    return false;
  }
  *fd = static_cast<int>(value);
  return true;
}

bool IndexArgument(const Napi::CallbackInfo& info, size_t i, double max, const char* usage, size_t* out) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    Napi::TypeError::New(info.Env(), usage).ThrowAsJavaScriptException();
    return false;
  }
  const double v = info[i].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || std::floor(v) != v || v < 0 || v > max) {
    Napi::RangeError::New(info.Env(), usage).ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<size_t>(v);
  return true;
}

}  // namespace

Napi::Value WriteFd(const Napi::CallbackInfo& info) {
  static const char kUsage[] = "writeFd(fd, buf, start, end): fd a non-negative integer, buf a Uint8Array, 0 <= start <= end <= buf.length";
  Napi::Env env = info.Env();
  int fd = -1;
  if (!FdArgument(info, kUsage, &fd)) return env.Undefined();
  napi_value v = info.Length() > 1 ? static_cast<napi_value>(info[1]) : nullptr;
  bool isTyped = false;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  if (v == nullptr || napi_is_typedarray(env, v, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok || type != napi_uint8_array) {
    Napi::TypeError::New(env, kUsage).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  size_t start = 0, end = 0;
  if (!IndexArgument(info, 2, static_cast<double>(length), kUsage, &start) ||
      !IndexArgument(info, 3, static_cast<double>(length), kUsage, &end)) {
    return env.Undefined();
  }
  if (start > end) {
    Napi::RangeError::New(env, kUsage).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (start == end) return Napi::Number::New(env, 0);
  ssize_t n;
  do {
    n = write(fd, static_cast<const uint8_t*>(data) + start, end - start);
  } while (n < 0 && errno == EINTR);
  return Napi::Number::New(env, n >= 0 ? static_cast<double>(n) : -static_cast<double>(errno));
}

Napi::Value DupFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!FdArgument(info, "dupFd(fd): fd must be a non-negative integer", &fd)) return env.Undefined();
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    ThrowSyscallError(env, "fcntl", errno);
    return env.Undefined();
  }
  return Napi::Number::New(env, copy);
}

Napi::Value PeerCredentials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!FdArgument(info, "peerCredentials(fd): fd must be a non-negative integer", &fd)) return env.Undefined();
  struct ucred cred {};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    ThrowSyscallError(env, "getsockopt", errno);
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  return out;
}

}  // namespace nova
