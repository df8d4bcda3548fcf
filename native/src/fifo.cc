#include "fifo.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <string>

#include "errors.h"

namespace nova {

Napi::Value Mkfifo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "mkfifo(path, mode): path must be a string and mode a number").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  mode_t mode = static_cast<mode_t>(info[1].As<Napi::Number>().Uint32Value() & 07777);
  if (mkfifo(path.c_str(), mode) != 0) ThrowSyscallError(env, "mkfifo", errno);
  return env.Undefined();
}

}  // namespace nova
