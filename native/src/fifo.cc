#include "fifo.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <string>

#include "args.h"
#include "errors.h"

namespace nova {

Napi::Value Mkfifo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path;
  double mode = 0;
  if (!GetPath(env, info, 0, "mkfifo", "path", &path) || !GetInteger(env, info, 1, "mkfifo", "mode", 07777, &mode)) return env.Undefined();
  if (mkfifo(path.c_str(), static_cast<mode_t>(mode)) != 0) ThrowSyscallError(env, "mkfifo", errno);
  return env.Undefined();
}

}  // namespace nova
