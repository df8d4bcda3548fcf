#include "sockets.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>

#include "args.h"
#include "errors.h"

namespace nova {

Napi::Value WriteFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  Bytes bytes{};
  double start = 0, end = 0;
  if (!GetFd(env, info, 0, "writeFd", &fd) || !GetBytes(env, info, 1, "writeFd", &bytes)) return env.Undefined();
  const double length = static_cast<double>(bytes.length);
  if (!GetInteger(env, info, 2, "writeFd", "start", length, &start) || !GetInteger(env, info, 3, "writeFd", "end", length, &end)) {
    return env.Undefined();
  }
  if (start > end) {
    Napi::RangeError::New(env, "writeFd: start must not exceed end").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (start == end) return Napi::Number::New(env, 0);
  const uint8_t* data = bytes.data + static_cast<size_t>(start);
  const size_t count = static_cast<size_t>(end - start);
  // A socket: send() with MSG_NOSIGNAL, so a peer that has gone away gives
  // -EPIPE and never a SIGPIPE (Node ignores SIGPIPE, but an application's
  // process.on("SIGPIPE") handler would run, and an embedder may not ignore
  // it), and MSG_DONTWAIT, so even a blocking descriptor cannot stall the
  // event loop. A FIFO (the pipe transport): send() fails with ENOTSOCK and
  // the bytes go through write(2); pipes have no MSG_NOSIGNAL, so there a
  // vanished reader raises SIGPIPE exactly as it does for libuv's own pipe
  // writes, which Node's default disposition (SIG_IGN) turns into -EPIPE.
  ssize_t n;
  do {
    n = send(fd, data, count, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == ENOTSOCK) {
    do {
      n = write(fd, data, count);
    } while (n < 0 && errno == EINTR);
  }
  return Napi::Number::New(env, n >= 0 ? static_cast<double>(n) : -static_cast<double>(errno));
}

Napi::Value DupFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!GetFd(env, info, 0, "dupFd", &fd)) return env.Undefined();
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
  if (!GetFd(env, info, 0, "peerCredentials", &fd)) return env.Undefined();
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
