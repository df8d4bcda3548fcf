#pragma once
#include <napi.h>

namespace nova {

// dupFd(fd: number): number — a close-on-exec duplicate (fcntl F_DUPFD_CLOEXEC),
// so a listener can wrap an accepted connection in a socket that reads through
// a reused buffer (net's `onread`) and then drop Node's original wrapper.
Napi::Value DupFd(const Napi::CallbackInfo& info);

// peerCredentials(fd: number): { pid, uid, gid } — the credentials the kernel
// recorded for the peer of a connected Unix socket (getsockopt SO_PEERCRED).
Napi::Value PeerCredentials(const Napi::CallbackInfo& info);

}  // namespace nova
