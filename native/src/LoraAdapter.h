#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "TrainerModel.h"

// The loaded adapter, shared by the LoraAdapter and the sessions training it; it keeps its model
// alive, so finalization order never frees the model under it.
struct AdapterHandle {
    struct Tensor {
        std::string name; // e.g. blk.0.attn_q.weight.lora_a
        ggml_tensor * tensor;
        int64_t ne0, ne1;
    };

    std::shared_ptr<ModelHandle> model;
    llama_adapter_lora * adapter = nullptr;
    std::vector<Tensor> tensors; // sorted by name
    float alpha = 0.0f;
    int32_t rank = 0;
    std::vector<std::string> targets; // short module names: q, k, v, o, gate, up, down
    int sessions = 0;  // live sessions training this adapter
    bool busy = false; // an async operation is reading or writing its tensors

    // Reads every tensor in name order into one buffer.
    std::vector<float> readAll() const;
    const Tensor * find(const std::string & name) const;

    ~AdapterHandle() {
        if (adapter) llama_adapter_lora_free(adapter);
    }
};

// A LoRA adapter over a TrainerModel (JS: `LoraAdapter`): created fresh (A random, B zero) or
// loaded from a GGUF adapter file, readable and writable tensor by tensor, saved as GGUF.
class LoraAdapter : public Napi::ObjectWrap<LoraAdapter> {
public:
    static Napi::Function define(Napi::Env env);
    static bool isInstance(const Napi::Value & value);

    explicit LoraAdapter(const Napi::CallbackInfo & info);
    ~LoraAdapter() override;

    std::shared_ptr<ModelHandle> model;
    std::shared_ptr<AdapterHandle> handle; // null until created or loaded, and after dispose

    void ensureReady(Napi::Env env) const;

private:
    friend class LoraAdapterInitWorker;
    friend class LoraAdapterSaveWorker;

    Napi::Value create(const Napi::CallbackInfo & info);
    Napi::Value load(const Napi::CallbackInfo & info);
    Napi::Value info(const Napi::CallbackInfo & info);
    Napi::Value getTensor(const Napi::CallbackInfo & info);
    Napi::Value setTensor(const Napi::CallbackInfo & info);
    Napi::Value save(const Napi::CallbackInfo & info);
    Napi::Value dispose(const Napi::CallbackInfo & info);
    Napi::Value getDisposed(const Napi::CallbackInfo & info);

    void ensureIdle(Napi::Env env) const;

    static Napi::FunctionReference constructor;
    // What create() asked for, until the worker builds the handle.
    int32_t rank = 0;
    float alpha = 0.0f;
    std::vector<std::string> targets;
    bool initializing = false;
    bool disposed = false;
};
