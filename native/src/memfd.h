#pragma once
#include <napi.h>

namespace nova {

// memfdCreate(name: string, sealable: boolean): number — an anonymous memory file.
Napi::Value MemfdCreate(const Napi::CallbackInfo& info);
// fdSize(fd: number): number — st_size of an open descriptor.
Napi::Value FdSize(const Napi::CallbackInfo& info);
// closeFd(fd: number): void
Napi::Value CloseFd(const Napi::CallbackInfo& info);

}  // namespace nova
