// Entry point of the nova_native addon: one registration per concern.
//
// kAbiVersion changes whenever an export is added, removed or changes its
// contract; native/index.ts refuses any other version, so a stale build fails
// loudly ("rebuild with npm run build:native") instead of lacking a function.
// 2: memfdCreate/fdSize/closeFd removed (nothing used them), every fd argument
//    checked by GetFd (TypeError), mkfifo rejects NUL, writeFd uses send().
// 3: shared memory (memfdCreate, mapFd), futex (futexWake, futexWaitSync,
//    futexWait, futexCancel), doorbells (eventfdCreate, eventfdSignal,
//    watchFd, unwatchFd, refWatch) and fd passing (sendFds, recvFds).
// 4: schedYield.
// 5: sealSize, sizeSealed.
// 6: watchEvents (writable polling, callback bit 4), sendFds/recvFds take an
//    optional [start, end) and up to 253 descriptors (was 16), socketPair.
// 7: connectUnix (a path, or an abstract name of exact length).
// 8: flock (the Wayland display lock, was util-linux flock(1)), recvFdsInto
//    (recvFds without a result object per call).
#include <napi.h>

#include "fdpass.h"
#include "fifo.h"
#include "frames.h"
#include "futex.h"
#include "shm.h"
#include "sockets.h"
#include "watch.h"

static constexpr int kAbiVersion = 8;

static Napi::Object InitNovaNative(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("mkfifo", Napi::Function::New(env, nova::Mkfifo, "mkfifo"));
  exports.Set("dupFd", Napi::Function::New(env, nova::DupFd, "dupFd"));
  exports.Set("writeFd", Napi::Function::New(env, nova::WriteFd, "writeFd"));
  exports.Set("peerCredentials", Napi::Function::New(env, nova::PeerCredentials, "peerCredentials"));
  exports.Set("scanFrames", Napi::Function::New(env, nova::ScanFrames, "scanFrames"));
  exports.Set("sealFrames", Napi::Function::New(env, nova::SealFrames, "sealFrames"));
  exports.Set("memfdCreate", Napi::Function::New(env, nova::MemfdCreate, "memfdCreate"));
  exports.Set("sealSize", Napi::Function::New(env, nova::SealSize, "sealSize"));
  exports.Set("sizeSealed", Napi::Function::New(env, nova::SizeSealed, "sizeSealed"));
  exports.Set("mapFd", Napi::Function::New(env, nova::MapFd, "mapFd"));
  exports.Set("futexWake", Napi::Function::New(env, nova::FutexWake, "futexWake"));
  exports.Set("futexWaitSync", Napi::Function::New(env, nova::FutexWaitSync, "futexWaitSync"));
  exports.Set("futexWait", Napi::Function::New(env, nova::FutexWait, "futexWait"));
  exports.Set("futexCancel", Napi::Function::New(env, nova::FutexCancel, "futexCancel"));
  exports.Set("eventfdCreate", Napi::Function::New(env, nova::EventfdCreate, "eventfdCreate"));
  exports.Set("eventfdSignal", Napi::Function::New(env, nova::EventfdSignal, "eventfdSignal"));
  exports.Set("watchFd", Napi::Function::New(env, nova::WatchFd, "watchFd"));
  exports.Set("unwatchFd", Napi::Function::New(env, nova::UnwatchFd, "unwatchFd"));
  exports.Set("watchEvents", Napi::Function::New(env, nova::WatchEvents, "watchEvents"));
  exports.Set("connectUnix", Napi::Function::New(env, nova::ConnectUnix, "connectUnix"));
  exports.Set("socketPair", Napi::Function::New(env, nova::SocketPair, "socketPair"));
  exports.Set("refWatch", Napi::Function::New(env, nova::RefWatch, "refWatch"));
  exports.Set("schedYield", Napi::Function::New(env, nova::SchedYield, "schedYield"));
  exports.Set("sendFds", Napi::Function::New(env, nova::SendFds, "sendFds"));
  exports.Set("recvFds", Napi::Function::New(env, nova::RecvFds, "recvFds"));
  exports.Set("recvFdsInto", Napi::Function::New(env, nova::RecvFdsInto, "recvFdsInto"));
  exports.Set("flock", Napi::Function::New(env, nova::Flock, "flock"));
  return exports;
}

NODE_API_MODULE(nova_native, InitNovaNative)
