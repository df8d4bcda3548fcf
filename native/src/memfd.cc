#include "memfd.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "errors.h"

namespace nova {

Napi::Value MemfdCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "memfdCreate(name, sealable): name must be a string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  bool sealable = info.Length() > 1 && info[1].ToBoolean().Value();
  unsigned int flags = MFD_CLOEXEC | (sealable ? MFD_ALLOW_SEALING : 0);
  int fd = memfd_create(name.c_str(), flags);
  if (fd < 0) {
    ThrowSyscallError(env, "memfd_create", errno);
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

Napi::Value FdSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "fdSize(fd): fd must be a number").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ThrowSyscallError(env, "fstat", errno);
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(st.st_size));
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "closeFd(fd): fd must be a number").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (close(fd) != 0) ThrowSyscallError(env, "close", errno);
  return env.Undefined();
}

}  // namespace nova
