#include "watch.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>

#include "args.h"
#include "errors.h"

namespace nova {

struct FdWatch {
  uv_poll_t poll;
  EnvState* state;
  uint32_t id;
  int fd;
  bool drain;
  Napi::FunctionReference callback;
  // The libuv events polled for (UV_READABLE|UV_DISCONNECT by default).
  int uvEvents;
};

namespace {

void OnPoll(uv_poll_t* handle, int status, int events) {
  FdWatch* w = static_cast<FdWatch*>(handle->data);
  int flags = 0;
  if (status < 0) flags |= 2;
  if (events & UV_READABLE) flags |= 1;
  if (events & UV_DISCONNECT) flags |= 2;
  if (events & UV_WRITABLE) flags |= 4;
  if (w->drain && (flags & 1)) {
    uint64_t value;
    while (read(w->fd, &value, sizeof value) < 0 && errno == EINTR) {
    }
  }
  Napi::Env env(w->state->env);
  Napi::HandleScope scope(env);
  w->callback.MakeCallback(env.Global(), {Napi::Number::New(env, flags)});
}

void Close(FdWatch* w) {
  uv_poll_stop(&w->poll);
  w->callback.Reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), [](uv_handle_t* h) { delete static_cast<FdWatch*>(h->data); });
}

FdWatch* Find(const Napi::CallbackInfo& info, const char* fn) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, std::string(fn) + ": id must be a number").ThrowAsJavaScriptException();
    return nullptr;
  }
  const double id = info[0].As<Napi::Number>().DoubleValue();
  EnvState* state = GetEnvState(env);
  if (!(id >= 1 && id <= UINT32_MAX && std::floor(id) == id)) return nullptr;
  auto it = state->watches.find(static_cast<uint32_t>(id));
  return it == state->watches.end() ? nullptr : it->second;
}

}  // namespace

Napi::Value EventfdCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) {
    ThrowSyscallError(env, "eventfd", errno);
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

Napi::Value EventfdSignal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!GetFd(env, info, 0, "eventfdSignal", &fd)) return env.Undefined();
  const uint64_t one = 1;
  ssize_t n;
  do {
    n = write(fd, &one, sizeof one);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno != EAGAIN) ThrowSyscallError(env, "write", errno);
  return env.Undefined();
}

Napi::Value WatchFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = -1;
  if (!GetFd(env, info, 0, "watchFd", &fd)) return env.Undefined();
  if (info.Length() < 3 || !info[2].IsFunction()) {
    Napi::TypeError::New(env, "watchFd: callback must be a function").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  EnvState* state = GetEnvState(env);
  FdWatch* w = new FdWatch();
  w->state = state;
  w->fd = fd;
  w->drain = info[1].ToBoolean().Value();
  int r = uv_poll_init(state->loop, &w->poll, fd);
  if (r != 0) {
    delete w;
    ThrowSyscallError(env, "uv_poll_init", -r);
    return env.Undefined();
  }
  w->poll.data = w;
  w->uvEvents = UV_READABLE | UV_DISCONNECT;
  r = uv_poll_start(&w->poll, w->uvEvents, OnPoll);
  if (r != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), [](uv_handle_t* h) { delete static_cast<FdWatch*>(h->data); });
    ThrowSyscallError(env, "uv_poll_start", -r);
    return env.Undefined();
  }
  w->callback = Napi::Persistent(info[2].As<Napi::Function>());
  uint32_t id = state->nextWatchId++;
  if (id == 0) id = state->nextWatchId++;
  w->id = id;
  state->watches[id] = w;
  return Napi::Number::New(env, id);
}

Napi::Value UnwatchFd(const Napi::CallbackInfo& info) {
  FdWatch* w = Find(info, "unwatchFd");
  if (w != nullptr) {
    w->state->watches.erase(w->id);
    Close(w);
  }
  return info.Env().Undefined();
}

Napi::Value WatchEvents(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FdWatch* w = Find(info, "watchEvents");
  if (w == nullptr) return env.Undefined();
  double mask = 0;
  if (!GetInteger(env, info, 1, "watchEvents", "mask", 7, &mask)) return env.Undefined();
  const int m = static_cast<int>(mask);
  const int uvEvents = ((m & 1) ? UV_READABLE | UV_DISCONNECT : 0) | ((m & 4) ? UV_WRITABLE : 0);
  if (uvEvents == w->uvEvents) return env.Undefined();
  const int r = uvEvents == 0 ? uv_poll_stop(&w->poll) : uv_poll_start(&w->poll, uvEvents, OnPoll);
  if (r != 0) {
    ThrowSyscallError(env, "uv_poll_start", -r);
    return env.Undefined();
  }
  w->uvEvents = uvEvents;
  return env.Undefined();
}

Napi::Value RefWatch(const Napi::CallbackInfo& info) {
  FdWatch* w = Find(info, "refWatch");
  if (w != nullptr) {
    if (info.Length() > 1 && info[1].ToBoolean().Value()) {
      uv_ref(reinterpret_cast<uv_handle_t*>(&w->poll));
    } else {
      uv_unref(reinterpret_cast<uv_handle_t*>(&w->poll));
    }
  }
  return info.Env().Undefined();
}

void CloseAllWatches(EnvState* state) {
  for (auto& entry : state->watches) Close(entry.second);
  state->watches.clear();
}

}  // namespace nova
