#include "sockets.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>


#include <cerrno>

#include "args.h"
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

}  // namespace

Napi::Value WriteFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!FdArgument(info, "writeFd(fd, buf, start, end): fd must be a non-negative integer", &fd)) return env.Undefined();
  Bytes bytes{};
  double start = 0, end = 0;
  if (!GetBytes(env, info, 1, "writeFd", &bytes)) return env.Undefined();
  const double length = static_cast<double>(bytes.length);
  if (!GetInteger(env, info, 2, "writeFd", "start", length, &start) || !GetInteger(env, info, 3, "writeFd", "end", length, &end)) {
    return env.Undefined();
  }
  if (start > end) {
    Napi::RangeError::New(env, "writeFd: start must not exceed end").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (start == end) return Napi::Number::New(env, 0);
  ssize_t n;
  do {
    n = write(fd, bytes.data + static_cast<size_t>(start), static_cast<size_t>(end - start));
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
