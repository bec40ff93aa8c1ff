#pragma once

#include <napi.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "FrozenTranspose.h"
#include "llama.h"

// The loaded llama_model, shared by the TrainerModel and everything built on it: whatever order the
// JS objects are finalized in (at process exit it is arbitrary), the model is freed last.
struct ModelHandle {
    llama_model * model = nullptr;
    std::string arch;
    // 2-D weight shapes by tensor name, ggml order ({ne0 = n_in, ne1 = n_out}).
    std::map<std::string, std::array<int64_t, 2>> shapes;
    int users = 0; // live adapters and sessions
    ~ModelHandle() {
        if (!model) return;
        FrozenTranspose::release(model);
        llama_model_free(model);
    }
};

// A base model opened for training (JS: `TrainerModel`). Weights stay frozen; adapters and
// sessions hold a reference to it and it cannot be disposed while they live.
class TrainerModel : public Napi::ObjectWrap<TrainerModel> {
public:
    static Napi::Function define(Napi::Env env);
    static bool isInstance(const Napi::Value & value);

    explicit TrainerModel(const Napi::CallbackInfo & info);
    ~TrainerModel() override;

    std::shared_ptr<ModelHandle> handle; // null until loaded and after dispose

    // Throws a JS error (DISPOSED) unless the model is loaded and not disposed.
    void ensureReady(Napi::Env env) const;

private:
    friend class TrainerModelLoadWorker;

    Napi::Value load(const Napi::CallbackInfo & info);
    Napi::Value info(const Napi::CallbackInfo & info);
    Napi::Value tokenize(const Napi::CallbackInfo & info);
    Napi::Value detokenize(const Napi::CallbackInfo & info);
    Napi::Value dispose(const Napi::CallbackInfo & info);
    Napi::Value getDisposed(const Napi::CallbackInfo & info);

    static Napi::FunctionReference constructor;
    std::string path;
    int32_t gpuLayers = 0;
    std::vector<std::string> devices; // backend device names to offload to (empty: llama.cpp's choice)
    bool useMmap = true;
    bool loading = false;
    bool disposed = false;
};
