// Entry point of the nova_native addon: one registration per concern.
#include <napi.h>

#include "fifo.h"
#include "frames.h"
#include "memfd.h"
#include "sockets.h"

static Napi::Object InitNovaNative(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  exports.Set("memfdCreate", Napi::Function::New(env, nova::MemfdCreate, "memfdCreate"));
  exports.Set("fdSize", Napi::Function::New(env, nova::FdSize, "fdSize"));
  exports.Set("closeFd", Napi::Function::New(env, nova::CloseFd, "closeFd"));
  exports.Set("mkfifo", Napi::Function::New(env, nova::Mkfifo, "mkfifo"));
  exports.Set("dupFd", Napi::Function::New(env, nova::DupFd, "dupFd"));
  exports.Set("writeFd", Napi::Function::New(env, nova::WriteFd, "writeFd"));
  exports.Set("peerCredentials", Napi::Function::New(env, nova::PeerCredentials, "peerCredentials"));
  exports.Set("scanFrames", Napi::Function::New(env, nova::ScanFrames, "scanFrames"));
  exports.Set("sealFrames", Napi::Function::New(env, nova::SealFrames, "sealFrames"));
  return exports;
}

NODE_API_MODULE(nova_native, InitNovaNative)
