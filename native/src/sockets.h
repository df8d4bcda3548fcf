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

// writeFd(fd, buf, start, end): number — one non-blocking write of
// buf[start, end) to a socket or FIFO descriptor, retried on EINTR only:
// send(MSG_NOSIGNAL | MSG_DONTWAIT) on a socket, write(2) on anything else
// (send() said ENOTSOCK; Node makes FIFO descriptors non-blocking). Returns the
// bytes the kernel took (possibly fewer than asked), or -errno (-EAGAIN when it
// took none, -EPIPE when the peer is gone). Lets a channel hand a batch to the
// kernel without Node's Writable stream and write request per write, when
// nothing is queued in that stream (transport/direct-writer.ts).
Napi::Value WriteFd(const Napi::CallbackInfo& info);

// connectUnix(name: string | Uint8Array, abstract: boolean): number — a
// connected Unix stream socket (SOCK_NONBLOCK|SOCK_CLOEXEC): to the path
// `name`, or with `abstract` to the abstract name `name` (its bytes exactly,
// sockaddr length = those bytes + the leading NUL, as dbus-daemon and
// libdbus bind and connect; Node's net pads the name to 108 bytes instead, so
// it cannot reach such a socket). Never blocks: Linux completes or refuses a
// Unix connect at once. Throws an Error with code/errno/syscall: ENOENT or
// ECONNREFUSED (nothing listens), EAGAIN (the listener's backlog is full: try
// again later), ENAMETOOLONG (more than 107 bytes); a TypeError for a name that
// is neither a string nor a Uint8Array, or a path containing NUL.
Napi::Value ConnectUnix(const Napi::CallbackInfo& info);

// flock(fd, operation: "exclusive" | "shared" | "unlock"): boolean — flock(2)
// with LOCK_NB, as libwayland's wl_socket_lock takes `<display>.lock`
// (LOCK_EX | LOCK_NB): true when the lock is taken (or released), false when
// another open file description holds a conflicting lock (EWOULDBLOCK). Never
// blocks the event loop. Any other failure throws an Error with
// code/errno/syscall; an unknown operation is a TypeError. The lock belongs to
// the open file description: it lasts until every descriptor of it is closed
// (or "unlock"), also when this process dies.
Napi::Value Flock(const Napi::CallbackInfo& info);

}  // namespace nova
