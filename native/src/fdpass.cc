#include "fdpass.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "args.h"
#include "errors.h"

namespace nova {

// SCM_MAX_FD: the most descriptors Linux takes in one SCM_RIGHTS message. A
// receive buffer that size never truncates (libwayland sends up to 28).
static constexpr size_t kMaxFds = 253;

// Optional arguments `start`, `end` (indices into `bytes`): narrows `bytes` to
// [start, end), so that callers send from and receive into a part of one
// reusable buffer without a subarray per call.
static bool GetRange(Napi::Env env, const Napi::CallbackInfo& info, size_t index, const char* fn, Bytes* bytes) {
  if (info.Length() <= index || info[index].IsUndefined()) return true;
  const double length = static_cast<double>(bytes->length);
  double start = 0, end = length;
  if (!GetInteger(env, info, index, fn, "start", length, &start)) return false;
  if (info.Length() > index + 1 && !info[index + 1].IsUndefined() && !GetInteger(env, info, index + 1, fn, "end", length, &end)) return false;
  if (start > end) {
    Napi::RangeError::New(env, std::string(fn) + ": start must not exceed end").ThrowAsJavaScriptException();
    return false;
  }
  bytes->data += static_cast<size_t>(start);
  bytes->length = static_cast<size_t>(end - start);
  return true;
}

Napi::Value SendFds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  Bytes bytes{};
  if (!GetFd(env, info, 0, "sendFds", &fd) || !GetBytes(env, info, 1, "sendFds", &bytes)) return env.Undefined();
  if (info.Length() < 3 || !info[2].IsArray()) {
    Napi::TypeError::New(env, "sendFds: fds must be an array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!GetRange(env, info, 3, "sendFds", &bytes)) return env.Undefined();
  Napi::Array list = info[2].As<Napi::Array>();
  if (list.Length() > kMaxFds) {
    Napi::RangeError::New(env, "sendFds: at most 253 descriptors").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<int> fds;
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value v = list[i];
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d <= 2147483647.0 && std::floor(d) == d)) {
      Napi::TypeError::New(env, "sendFds: every fd must be an integer in 0..2147483647").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    fds.push_back(static_cast<int>(d));
  }
  iovec iov{bytes.data, bytes.length};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t n;
  do {
    n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return Napi::Number::New(env, n < 0 ? -errno : static_cast<double>(n));
}

// One recvmsg(2) into `bytes` (MSG_DONTWAIT|MSG_CMSG_CLOEXEC, retried on
// EINTR) whose descriptors go to fds[0, *count) (room for kMaxFds). Returns
// the bytes received, 0 at end of stream, or -errno; descriptors that came
// with a truncated control message are closed and reported as -EMSGSIZE.
static double ReceiveWithFds(int fd, Bytes bytes, int* fds, size_t* count) {
  iovec iov{bytes.data, bytes.length};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)];
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  *count = 0;
  ssize_t n;
  do {
    n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return -errno;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t got = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < got && *count < kMaxFds; i++) std::memcpy(&fds[(*count)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
  }
  if (msg.msg_flags & MSG_CTRUNC) {
    for (size_t i = 0; i < *count; i++) close(fds[i]);
    *count = 0;
    return -EMSGSIZE;
  }
  return static_cast<double>(n);
}

Napi::Value RecvFds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  Bytes bytes{};
  if (!GetFd(env, info, 0, "recvFds", &fd) || !GetBytes(env, info, 1, "recvFds", &bytes) || !GetRange(env, info, 2, "recvFds", &bytes)) {
    return env.Undefined();
  }
  int got[kMaxFds];
  size_t count = 0;
  const double n = ReceiveWithFds(fd, bytes, got, &count);
  Napi::Array out = Napi::Array::New(env, count);
  for (size_t i = 0; i < count; i++) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, got[i]));
  Napi::Object result = Napi::Object::New(env);
  result.Set("bytes", Napi::Number::New(env, n));
  result.Set("fds", out);
  return result;
}

Napi::Value RecvFdsInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  Bytes bytes{};
  double start = 0, end = 0;
  if (!GetFd(env, info, 0, "recvFdsInto", &fd) || !GetBytes(env, info, 1, "recvFdsInto", &bytes)) return env.Undefined();
  const double length = static_cast<double>(bytes.length);
  if (!GetInteger(env, info, 2, "recvFdsInto", "start", length, &start) || !GetInteger(env, info, 3, "recvFdsInto", "end", length, &end)) {
    return env.Undefined();
  }
  if (start > end) {
    Napi::RangeError::New(env, "recvFdsInto: start must not exceed end").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  napi_value v = info.Length() > 4 ? static_cast<napi_value>(info[4]) : nullptr;
  bool isTyped = false;
  napi_typedarray_type type = napi_int8_array;
  size_t slots = 0;
  void* data = nullptr;
  if (v == nullptr || napi_is_typedarray(env, v, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, v, &type, &slots, &data, nullptr, nullptr) != napi_ok || type != napi_int32_array) {
    Napi::TypeError::New(env, "recvFdsInto: fdsOut must be an Int32Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (slots < kMaxFds + 1) {
    Napi::RangeError::New(env, "recvFdsInto: fdsOut must have at least 254 elements").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int32_t* out = static_cast<int32_t*>(data);
  bytes.data += static_cast<size_t>(start);
  bytes.length = static_cast<size_t>(end - start);
  size_t count = 0;
  const double n = ReceiveWithFds(fd, bytes, out + 1, &count);
  out[0] = static_cast<int32_t>(count);
  return Napi::Number::New(env, n);
}

Napi::Value SocketPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
    ThrowSyscallError(env, "socketpair", errno);
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, sv[0]));
  out.Set(1u, Napi::Number::New(env, sv[1]));
  return out;
}

}  // namespace nova
