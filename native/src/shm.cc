#include "shm.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <v8.h>

#include <cerrno>
#include <cstring>

#include "args.h"
#include "errors.h"

namespace nova {

// 2^40: far above any region this runtime creates (the issue asks for >= 1 GiB),
// low enough that size arithmetic stays exact in a double.
static constexpr double kMaxMapBytes = 1099511627776.0;

Napi::Value MemfdCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name;
  double size = 0;
  if (!GetPath(env, info, 0, "memfdCreate", "name", &name) || !GetInteger(env, info, 1, "memfdCreate", "size", kMaxMapBytes, &size)) {
    return env.Undefined();
  }
  const int fd = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    ThrowSyscallError(env, "memfd_create", errno);
    return env.Undefined();
  }
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) {
    const int err = errno;
    close(fd);
    ThrowSyscallError(env, "ftruncate", err);
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

static void Unmap(void* data, size_t length, void* /*deleter_data*/) {
  munmap(data, length);
}

Napi::Value MapFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  double size = 0;
  if (!GetFd(env, info, 0, "mapFd", &fd) || !GetInteger(env, info, 1, "mapFd", "size", kMaxMapBytes, &size)) return env.Undefined();
  if (size < 1) {
    Napi::RangeError::New(env, "mapFd: size must be at least 1").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const bool cow = info.Length() > 2 && info[2].ToBoolean().Value();
  struct stat st;
  if (fstat(fd, &st) != 0) {
    ThrowSyscallError(env, "fstat", errno);
    return env.Undefined();
  }
  // Mapping past the end of the file would turn a later access into SIGBUS.
  if (static_cast<double>(st.st_size) < size) {
    Napi::RangeError::New(env, "mapFd: the file has " + std::to_string(st.st_size) + " bytes, fewer than the " +
                                   std::to_string(static_cast<uint64_t>(size)) + " to map")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const size_t length = static_cast<size_t>(size);
  void* p = mmap(nullptr, length, PROT_READ | PROT_WRITE, cow ? MAP_PRIVATE : MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    ThrowSyscallError(env, "mmap", errno);
    return env.Undefined();
  }
  // Node-API cannot make a SharedArrayBuffer on Node 20; V8's API can. The
  // addon is linked with -z nodelete, so Unmap stays loaded for as long as
  // the process runs, even after every environment that loaded it is gone.
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  std::unique_ptr<v8::BackingStore> store = v8::SharedArrayBuffer::NewBackingStore(p, length, Unmap, nullptr);
  v8::Local<v8::SharedArrayBuffer> sab = v8::SharedArrayBuffer::New(isolate, std::move(store));
  v8::Local<v8::Value> value = sab;
  // napi_value is a v8::Local's slot pointer (node's JsValueFromV8LocalValue).
  return Napi::Value(env, reinterpret_cast<napi_value>(*value));
}

Napi::Value SealSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!GetFd(env, info, 0, "sealSize", &fd)) return env.Undefined();
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) ThrowSyscallError(env, "fcntl(F_ADD_SEALS)", errno);
  return env.Undefined();
}

Napi::Value SizeSealed(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!GetFd(env, info, 0, "sizeSealed", &fd)) return env.Undefined();
  const int seals = fcntl(fd, F_GET_SEALS);
  return Napi::Boolean::New(env, seals >= 0 && (seals & F_SEAL_SHRINK) != 0);
}

}  // namespace nova
