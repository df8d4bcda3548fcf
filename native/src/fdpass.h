#pragma once
#include <napi.h>

namespace nova {

// sendFds(fd, data: Uint8Array, fds: number[], start?, end?): number — one
// sendmsg(2) of data[start, end) (default: all of it) with `fds` as
// SCM_RIGHTS (at most 253), MSG_NOSIGNAL|MSG_DONTWAIT. Returns the bytes
// sent, or -errno (-EAGAIN when the socket is full). When bytes were sent,
// all of `fds` went with the first of them.
Napi::Value SendFds(const Napi::CallbackInfo& info);

// recvFds(fd, buf: Uint8Array, start?, end?): { bytes, fds } — one recvmsg(2)
// into buf[start, end) (default: all of it),
// MSG_DONTWAIT|MSG_CMSG_CLOEXEC. bytes > 0: data in buf; 0: end of stream;
// < 0: -errno. Descriptors received with a truncated control message are
// closed and reported as -EMSGSIZE.
Napi::Value RecvFds(const Napi::CallbackInfo& info);

// recvFdsInto(fd, buf: Uint8Array, start, end, fdsOut: Int32Array): number —
// the same recvmsg(2) into buf[start, end), without a result object per call
// (the Wayland and D-Bus read loops): returns bytes (> 0 data, 0 end of
// stream, < 0 -errno) and writes the count of descriptors received to
// fdsOut[0], the descriptors to fdsOut[1 .. count]. fdsOut must have at least
// 254 elements (1 + the 253 a message can carry), so none is ever lost.
Napi::Value RecvFdsInto(const Napi::CallbackInfo& info);

// socketPair(): [fd, fd] — socketpair(AF_UNIX, SOCK_STREAM) with
// SOCK_NONBLOCK|SOCK_CLOEXEC: two connected ends (tests; a Wayland client
// handed to its compositor through WAYLAND_SOCKET).
Napi::Value SocketPair(const Napi::CallbackInfo& info);

}  // namespace nova
