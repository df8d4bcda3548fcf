// Entry point of the nova_native addon: one registration per concern.
//
// kAbiVersion changes whenever an export is added, removed or changes its
// contract; native/index.ts refuses any other version, so a stale build fails
// loudly ("rebuild with npm run build:native") instead of lacking a function.
// 2: memfdCreate/fdSize/closeFd removed (nothing used them), every fd argument
//    checked by GetFd (TypeError), mkfifo rejects NUL, writeFd uses send().
#include <napi.h>

#include "fifo.h"
#include "frames.h"
#include "sockets.h"

static constexpr int kAbiVersion = 2;

static Napi::Object InitNovaNative(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("mkfifo", Napi::Function::New(env, nova::Mkfifo, "mkfifo"));
  exports.Set("dupFd", Napi::Function::New(env, nova::DupFd, "dupFd"));
  exports.Set("writeFd", Napi::Function::New(env, nova::WriteFd, "writeFd"));
  exports.Set("peerCredentials", Napi::Function::New(env, nova::PeerCredentials, "peerCredentials"));
  exports.Set("scanFrames", Napi::Function::New(env, nova::ScanFrames, "scanFrames"));
  exports.Set("sealFrames", Napi::Function::New(env, nova::SealFrames, "sealFrames"));
  return exports;
}

NODE_API_MODULE(nova_native, InitNovaNative)
