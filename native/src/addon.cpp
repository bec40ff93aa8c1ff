#include <napi.h>

#include "LlamaLog.h"
#include "LoraAdapter.h"
#include "ModelQuantizer.h"
#include "TrainerModel.h"
#include "TrainingSession.h"
#include "llama.h"

namespace {

Napi::Value systemInfo(const Napi::CallbackInfo & info) {
    return Napi::String::New(info.Env(), llama_print_system_info());
}

Napi::Value setVerbose(const Napi::CallbackInfo & info) {
    LlamaLog::setVerbose(info.Length() > 0 && info[0].ToBoolean().Value());
    return info.Env().Undefined();
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
    LlamaLog::install();
    llama_backend_init();
    exports.Set("version", Napi::String::New(env, llama_version()));
    exports.Set("systemInfo", Napi::Function::New(env, systemInfo));
    exports.Set("setVerbose", Napi::Function::New(env, setVerbose));
    exports.Set("quantizeModel", Napi::Function::New(env, ModelQuantizer::quantize));
    exports.Set("TrainerModel", TrainerModel::define(env));
    exports.Set("LoraAdapter", LoraAdapter::define(env));
    exports.Set("TrainingSession", TrainingSession::define(env));
    return exports;
}

} // namespace

NODE_API_MODULE(lathe_trainer, init)
