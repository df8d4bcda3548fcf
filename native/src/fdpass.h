#pragma once
#include <napi.h>

namespace nova {

// sendFds(fd, data: Uint8Array, fds: number[]): number — one sendmsg(2) of
// `data` with `fds` as SCM_RIGHTS (at most 16), MSG_NOSIGNAL|MSG_DONTWAIT.
// Returns the bytes sent, or -errno (-EAGAIN when the socket is full).
Napi::Value SendFds(const Napi::CallbackInfo& info);

// recvFds(fd, buf: Uint8Array): { bytes, fds } — one recvmsg(2),
// MSG_DONTWAIT|MSG_CMSG_CLOEXEC. bytes > 0: data in buf; 0: end of stream;
// < 0: -errno. Descriptors received with a truncated control message are
// closed and reported as -EMSGSIZE.
Napi::Value RecvFds(const Napi::CallbackInfo& info);

}  // namespace nova
