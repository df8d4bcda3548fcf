#include "sockets.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

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

Napi::Value ConnectUnix(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  if (info.Length() > 0 && info[0].IsString()) {
    name = info[0].As<Napi::String>().Utf8Value();
  } else if (info.Length() > 0 && info[0].IsTypedArray() && info[0].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
    name.assign(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
  } else {
    Napi::TypeError::New(env, "connectUnix: name must be a string or a Uint8Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const bool abstract = info.Length() > 1 && info[1].ToBoolean().Value();
  if (!abstract && name.find('\0') != std::string::npos) {
    Napi::TypeError::New(env, "connectUnix: a path must not contain NUL").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  // A path needs its terminating NUL; an abstract name takes a leading NUL.
  // Either way at most sizeof(sun_path) - 1 bytes of name.
  if (name.size() > sizeof(addr.sun_path) - 1) {
    ThrowSyscallError(env, "connect", ENAMETOOLONG);
    return env.Undefined();
  }
  std::memcpy(addr.sun_path + (abstract ? 1 : 0), name.data(), name.size());
  // The exact length: an abstract name is every byte after the leading NUL
  // and nothing more (Node's net pads it with NULs to 108 bytes: another name).
  const socklen_t length = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + name.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ThrowSyscallError(env, "socket", errno);
    return env.Undefined();
  }
  // Linux completes a Unix stream connect at once, even non-blocking: it
  // either succeeds or fails (EAGAIN when the listener's backlog is full; the
  // socket then stays unconnected and connect must be called again). There
  // is no EINPROGRESS to wait for, and no EINTR (it never sleeps).
  if (connect(fd, reinterpret_cast<struct sockaddr*>(&addr), length) != 0) {
    const int err = errno;
    close(fd);
    ThrowSyscallError(env, "connect", err);
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!GetFd(env, info, 0, "flock", &fd)) return env.Undefined();
  const std::string op = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : std::string();
  const int how = op == "exclusive" ? LOCK_EX : op == "shared" ? LOCK_SH : op == "unlock" ? LOCK_UN : -1;
  if (how < 0) {
    Napi::TypeError::New(env, "flock: operation must be \"exclusive\", \"shared\" or \"unlock\"").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int r;
  do {
    r = flock(fd, how | LOCK_NB);
  } while (r != 0 && errno == EINTR);
  if (r == 0) return Napi::Boolean::New(env, true);
  if (errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
  ThrowSyscallError(env, "flock", errno);
  return env.Undefined();
}

}  // namespace nova
