#include "env-state.h"

#include "futex-pool.h"
#include "watch.h"

namespace nova {

static void OnAsync(uv_async_t* handle) {
  EnvState* state = static_cast<EnvState*>(handle->data);
  std::deque<Completion> batch;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    batch.swap(state->done);
  }
  Napi::Env env(state->env);
  Napi::HandleScope scope(env);
  for (const Completion& c : batch) {
    auto it = state->callbacks.find(c.id);
    if (it == state->callbacks.end()) continue;
    Napi::FunctionReference cb = std::move(it->second.callback);
    state->callbacks.erase(it);
    // MakeCallback: runs the microtask queue afterwards (a resolved Promise's
    // continuations), as Node does for its own I/O callbacks.
    cb.MakeCallback(env.Global(), {Napi::String::New(env, c.result)});
  }
  UpdateAsyncRef(state);
}

void UpdateAsyncRef(EnvState* state) {
  if (state->callbacks.empty()) {
    uv_unref(reinterpret_cast<uv_handle_t*>(&state->async));
  } else {
    uv_ref(reinterpret_cast<uv_handle_t*>(&state->async));
  }
}

static void Cleanup(void* arg) {
  EnvState* state = static_cast<EnvState*>(arg);
  CancelAllWaits(state);  // returns once no addon thread refers to `state`
  CloseAllWatches(state);
  state->callbacks.clear();
  uv_close(reinterpret_cast<uv_handle_t*>(&state->async), [](uv_handle_t* h) { delete static_cast<EnvState*>(h->data); });
}

static void KeepState(Napi::Env, EnvState*) {}

EnvState* GetEnvState(Napi::Env env) {
  EnvState* state = env.GetInstanceData<EnvState>();
  if (state != nullptr) return state;
  state = new EnvState();
  state->env = env;
  napi_get_uv_event_loop(env, &state->loop);
  uv_async_init(state->loop, &state->async, OnAsync);
  state->async.data = state;
  uv_unref(reinterpret_cast<uv_handle_t*>(&state->async));
  // No finalizer: Cleanup frees the state after the loop closes the handle.
  env.SetInstanceData<EnvState, KeepState>(state);
  napi_add_env_cleanup_hook(env, Cleanup, state);
  return state;
}

}  // namespace nova
