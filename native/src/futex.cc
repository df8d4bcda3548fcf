#include "futex.h"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cmath>
#include <string>

#include "futex-pool.h"

namespace nova {

namespace {

// Argument 0 (an Int32Array) and 1 (an index into it): the word's address.
bool GetWord(Napi::Env env, const Napi::CallbackInfo& info, const char* fn, int32_t** out) {
  napi_value v = info.Length() > 0 ? static_cast<napi_value>(info[0]) : nullptr;
  bool isTyped = false;
  napi_typedarray_type type = napi_int8_array;
  size_t length = 0;
  void* data = nullptr;
  if (v == nullptr || napi_is_typedarray(env, v, &isTyped) != napi_ok || !isTyped ||
      napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok || type != napi_int32_array) {
    Napi::TypeError::New(env, std::string(fn) + ": view must be an Int32Array").ThrowAsJavaScriptException();
    return false;
  }
  const double index = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
  if (!(index >= 0 && index < static_cast<double>(length) && std::floor(index) == index)) {
    Napi::RangeError::New(env, std::string(fn) + ": index must be an integer in 0.." + std::to_string(length) + " (exclusive)")
        .ThrowAsJavaScriptException();
    return false;
  }
  *out = static_cast<int32_t*>(data) + static_cast<size_t>(index);
  return true;
}

bool GetInt32(Napi::Env env, const Napi::CallbackInfo& info, size_t i, const char* fn, const char* name, int32_t* out) {
  if (info.Length() > i && info[i].IsNumber()) {
    const double v = info[i].As<Napi::Number>().DoubleValue();
    if (v >= INT32_MIN && v <= INT32_MAX && std::floor(v) == v) {
      *out = static_cast<int32_t>(v);
      return true;
    }
  }
  Napi::TypeError::New(env, std::string(fn) + ": " + name + " must be a 32-bit signed integer").ThrowAsJavaScriptException();
  return false;
}

// A timeout in ms: NaN or negative is 0; Infinity (or anything past 2^31 ms,
// ~24 days) means none (-1).
bool GetTimeout(Napi::Env env, const Napi::CallbackInfo& info, size_t i, const char* fn, double* out) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    Napi::TypeError::New(env, std::string(fn) + ": timeoutMs must be a number").ThrowAsJavaScriptException();
    return false;
  }
  const double v = info[i].As<Napi::Number>().DoubleValue();
  *out = v >= 2147483648.0 ? -1 : (v > 0 ? v : 0);
  return true;
}

// Arguments 0..3 of both waits: the word (view, index), the expected value, the timeout.
struct WaitArgs {
  int32_t* addr = nullptr;
  int32_t expected = 0;
  double timeout = 0;
};

bool GetWaitArgs(Napi::Env env, const Napi::CallbackInfo& info, const char* fn, WaitArgs* out) {
  return GetWord(env, info, fn, &out->addr) && GetInt32(env, info, 2, fn, "expected", &out->expected) && GetTimeout(env, info, 3, fn, &out->timeout);
}

}  // namespace

Napi::Value FutexWake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t* addr = nullptr;
  int32_t count = 0;
  if (!GetWord(env, info, "futexWake", &addr) || !GetInt32(env, info, 2, "futexWake", "count", &count)) return env.Undefined();
  if (count <= 0) return Napi::Number::New(env, 0);
  const long r = syscall(SYS_futex, addr, FUTEX_WAKE, count, nullptr, nullptr, 0);
  return Napi::Number::New(env, r < 0 ? 0 : static_cast<double>(r));
}

Napi::Value FutexWaitSync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  WaitArgs args;
  if (!GetWaitArgs(env, info, "futexWaitSync", &args)) return env.Undefined();
  const char* r = WaitOnce(args.addr, args.expected, args.timeout, FUTEX_BITSET_MATCH_ANY);
  if (r[0] == 'i') r = "ok";  // an unexpected error: callers re-check their word like after any wake
  return Napi::String::New(env, r);
}

Napi::Value FutexWait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  WaitArgs args;
  if (!GetWaitArgs(env, info, "futexWait", &args)) return env.Undefined();
  if (info.Length() <= 4 || !info[4].IsFunction()) {
    Napi::TypeError::New(env, "futexWait: callback must be a function").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  EnvState* state = GetEnvState(env);
  uint32_t id = state->nextWaitId++;
  if (id == 0) id = state->nextWaitId++;
  PendingWait pending;
  pending.callback = Napi::Persistent(info[4].As<Napi::Function>());
  pending.view = Napi::Persistent(info[0].As<Napi::Object>());
  state->callbacks.emplace(id, std::move(pending));
  UpdateAsyncRef(state);
  FutexWaitJob* job = new FutexWaitJob();
  job->state = state;
  job->id = id;
  job->addr = args.addr;
  job->expected = args.expected;
  job->timeoutMs = args.timeout;
  job->bitset = 1u << (id % 32);
  SubmitWait(job);
  return Napi::Number::New(env, id);
}

Napi::Value FutexCancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "futexCancel: id must be a number").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const double id = info[0].As<Napi::Number>().DoubleValue();
  if (id >= 1 && id <= UINT32_MAX && std::floor(id) == id) CancelWait(GetEnvState(env), static_cast<uint32_t>(id));
  return env.Undefined();
}

Napi::Value SchedYield(const Napi::CallbackInfo& info) {
  sched_yield();
  return info.Env().Undefined();
}

}  // namespace nova
