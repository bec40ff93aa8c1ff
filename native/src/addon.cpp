#include <napi.h>

#include "BackwardOps.h"
#include "FrozenTranspose.h"
#include "LlamaLog.h"
#include "LoraAdapter.h"
#include "AdapterMerge.h"
#include "ModelQuantizer.h"
#include "TrainerModel.h"
#include "TrainingSession.h"
#include "ggml-backend.h"
#include "llama.h"

namespace {

Napi::Value systemInfo(const Napi::CallbackInfo & info) {
    return Napi::String::New(info.Env(), llama_print_system_info());
}

// The compute devices ggml registered in this build (CPU always; CUDA/Vulkan/Metal GPUs when built
// with that backend and a device is present): [{name, description, type, memoryFree, memoryTotal}].
Napi::Value devices(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    for (size_t i = 0; i < ggml_backend_dev_count(); i++) {
        ggml_backend_dev_t dev = ggml_backend_dev_get(i);
        size_t free = 0, total = 0;
        ggml_backend_dev_memory(dev, &free, &total);
        const enum ggml_backend_dev_type type = ggml_backend_dev_type(dev);
        Napi::Object o = Napi::Object::New(env);
        o.Set("name", ggml_backend_dev_name(dev));
        o.Set("description", ggml_backend_dev_description(dev));
        o.Set("type", type == GGML_BACKEND_DEVICE_TYPE_CPU ? "cpu" : type == GGML_BACKEND_DEVICE_TYPE_GPU ? "gpu"
                    : type == GGML_BACKEND_DEVICE_TYPE_IGPU ? "igpu" : "accel");
        o.Set("memoryFree", static_cast<double>(free));
        o.Set("memoryTotal", static_cast<double>(total));
        out.Set(static_cast<uint32_t>(i), o);
    }
    return out;
}

// The frozen-weight transposes the backward pass uses: how many and their bytes.
Napi::Value backwardTransposes(const Napi::CallbackInfo & info) {
    Napi::Object o = Napi::Object::New(info.Env());
    const FrozenTranspose::Stats made = FrozenTranspose::stats();
    o.Set("count", Napi::Number::New(info.Env(), static_cast<double>(made.count)));
    o.Set("bytes", Napi::Number::New(info.Env(), static_cast<double>(made.bytes)));
    o.Set("byGraph", Napi::Number::New(info.Env(), static_cast<double>(made.byGraph)));
    if (made.worstCheckError >= 0) o.Set("checkError", Napi::Number::New(info.Env(), made.worstCheckError));
    return o;
}

// The backward ops this process's training graphs build from simpler ones (BackwardOps.h).
Napi::Value backwardDecomposed(const Napi::CallbackInfo & info) {
    const std::vector<std::string> names = BackwardOps::names(ggml_get_backward_decompose());
    Napi::Array out = Napi::Array::New(info.Env(), names.size());
    for (size_t i = 0; i < names.size(); i++) out.Set(static_cast<uint32_t>(i), names[i]);
    return out;
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
    exports.Set("devices", Napi::Function::New(env, devices));
    exports.Set("quantizeModel", Napi::Function::New(env, ModelQuantizer::quantize));
    exports.Set("mergeAdapter", Napi::Function::New(env, AdapterMerge::merge));
    exports.Set("backwardTransposes", Napi::Function::New(env, backwardTransposes));
    exports.Set("backwardDecomposed", Napi::Function::New(env, backwardDecomposed));
    exports.Set("TrainerModel", TrainerModel::define(env));
    exports.Set("LoraAdapter", LoraAdapter::define(env));
    exports.Set("TrainingSession", TrainingSession::define(env));
    return exports;
}

} // namespace

NODE_API_MODULE(lathe_trainer, init)
