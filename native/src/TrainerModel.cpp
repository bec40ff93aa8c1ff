#include "TrainerModel.h"

#include "Errors.h"
#include "LlamaLog.h"
#include "PromiseWorker.h"
#include "ggml-backend.h"
#include "gguf.h"

#include <vector>

Napi::FunctionReference TrainerModel::constructor;

class TrainerModelLoadWorker : public PromiseWorker {
public:
    TrainerModelLoadWorker(Napi::Env env, TrainerModel * owner)
        : PromiseWorker(env, "TrainerModelLoad"), owner(owner) {
        ref = Napi::Persistent(owner->Value());
    }

protected:
    void Run() override {
        // Tensor shapes come from the file's metadata (public gguf API): adapters are shaped from them.
        ggml_context * meta = nullptr;
        gguf_init_params gp = { /*.no_alloc =*/ true, /*.ctx =*/ &meta };
        gguf_context * gctx = gguf_init_from_file(owner->path.c_str(), gp);
        if (!gctx) {
            throw CodedError("LOAD_FAILED", "not a readable GGUF file: " + owner->path);
        }
        const int64_t archKey = gguf_find_key(gctx, "general.architecture");
        loaded = std::make_shared<ModelHandle>();
        loaded->arch = archKey >= 0 ? gguf_get_val_str(gctx, archKey) : "";
        for (ggml_tensor * t = ggml_get_first_tensor(meta); t; t = ggml_get_next_tensor(meta, t)) {
            if (ggml_n_dims(t) == 2) {
                loaded->shapes[t->name] = { t->ne[0], t->ne[1] };
            }
        }
        gguf_free(gctx);
        ggml_free(meta);

        llama_model_params mp = llama_model_default_params();
        mp.n_gpu_layers = owner->gpuLayers;
        std::vector<ggml_backend_dev_t> devs;
        for (const auto & name : owner->devices) {
            ggml_backend_dev_t dev = ggml_backend_dev_by_name(name.c_str());
            if (!dev) {
                throw CodedError("INVALID_ARGUMENT", "no compute device named " + name + " in this build");
            }
            devs.push_back(dev);
        }
        if (!devs.empty()) {
            devs.push_back(nullptr);
            mp.devices = devs.data();
        }
        mp.load_mode = owner->useMmap ? LLAMA_LOAD_MODE_MMAP : LLAMA_LOAD_MODE_NONE;
        // The backward pass reads whole weights: no on-demand row reading.
        mp.lazy_mode = LLAMA_LAZY_MODE_OFF;
        // Repacked weights (extra buffer types) have no backward pass: the scheduler aborts on them.
        mp.use_extra_bufts = false;
        LlamaLog::takeErrors();
        loaded->model = llama_model_load_from_file(owner->path.c_str(), mp);
        if (!loaded->model) {
            const std::string why = LlamaLog::takeErrors();
            throw CodedError("LOAD_FAILED", "cannot load model " + owner->path + (why.empty() ? "" : ": " + why));
        }
    }

    Napi::Value Result(Napi::Env env) override {
        owner->handle = std::move(loaded);
        return env.Undefined();
    }

    void Finally() override { owner->loading = false; }

private:
    TrainerModel * owner;
    Napi::ObjectReference ref;
    std::shared_ptr<ModelHandle> loaded;
};

Napi::Function TrainerModel::define(Napi::Env env) {
    Napi::Function fn = DefineClass(env, "TrainerModel", {
        InstanceMethod("load", &TrainerModel::load),
        InstanceMethod("info", &TrainerModel::info),
        InstanceMethod("tokenize", &TrainerModel::tokenize),
        InstanceMethod("detokenize", &TrainerModel::detokenize),
        InstanceMethod("dispose", &TrainerModel::dispose),
        InstanceAccessor("disposed", &TrainerModel::getDisposed, nullptr),
    });
    constructor = Napi::Persistent(fn);
    constructor.SuppressDestruct();
    return fn;
}

bool TrainerModel::isInstance(const Napi::Value & value) {
    return value.IsObject() && value.As<Napi::Object>().InstanceOf(constructor.Value());
}

// new TrainerModel(path, {gpuLayers?: number, devices?: string[], useMmap?: boolean})
TrainerModel::TrainerModel(const Napi::CallbackInfo & info) : Napi::ObjectWrap<TrainerModel>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "TrainerModel(path, options?): path must be a string");
    }
    path = info[0].As<Napi::String>().Utf8Value();
    if (info.Length() > 1 && info[1].IsObject()) {
        Napi::Object o = info[1].As<Napi::Object>();
        if (o.Has("gpuLayers") && o.Get("gpuLayers").IsNumber()) {
            gpuLayers = o.Get("gpuLayers").As<Napi::Number>().Int32Value();
        }
        if (o.Has("devices") && o.Get("devices").IsArray()) {
            Napi::Array a = o.Get("devices").As<Napi::Array>();
            for (uint32_t i = 0; i < a.Length(); i++) {
                if (!a.Get(i).IsString()) {
                    throw CodedError::js(env, "INVALID_ARGUMENT", "devices must be an array of device names (see devices())");
                }
                devices.push_back(a.Get(i).As<Napi::String>().Utf8Value());
            }
        }
        if (o.Has("useMmap") && o.Get("useMmap").IsBoolean()) {
            useMmap = o.Get("useMmap").As<Napi::Boolean>().Value();
        }
    }
}

TrainerModel::~TrainerModel() = default;

void TrainerModel::ensureReady(Napi::Env env) const {
    if (disposed) {
        throw CodedError::js(env, "DISPOSED", "the model has been disposed");
    }
    if (!handle) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "the model is not loaded: await model.load() first");
    }
}

Napi::Value TrainerModel::load(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (disposed) {
        throw CodedError::js(env, "DISPOSED", "the model has been disposed");
    }
    if (handle || loading) {
        throw CodedError::js(env, "BUSY", "the model is already loaded or loading");
    }
    loading = true;
    auto * worker = new TrainerModelLoadWorker(env, this);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

Napi::Value TrainerModel::info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureReady(env);
    const llama_model * model = handle->model;
    Napi::Object o = Napi::Object::New(env);
    char desc[256] = {0};
    llama_model_desc(model, desc, sizeof(desc));
    o.Set("architecture", handle->arch);
    o.Set("description", desc);
    o.Set("nVocab", llama_vocab_n_tokens(llama_model_get_vocab(model)));
    o.Set("nEmbd", llama_model_n_embd(model));
    o.Set("nLayer", llama_model_n_layer(model));
    o.Set("nHead", llama_model_n_head(model));
    o.Set("nHeadKv", llama_model_n_head_kv(model));
    o.Set("nCtxTrain", llama_model_n_ctx_train(model));
    o.Set("nParams", static_cast<double>(llama_model_n_params(model)));
    o.Set("sizeBytes", static_cast<double>(llama_model_size(model)));
    return o;
}

// tokenize(text, addSpecial = false, parseSpecial = true): Int32Array
Napi::Value TrainerModel::tokenize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureReady(env);
    if (info.Length() < 1 || !info[0].IsString()) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "tokenize(text, addSpecial?, parseSpecial?): text must be a string");
    }
    const std::string text = info[0].As<Napi::String>().Utf8Value();
    const bool addSpecial = info.Length() > 1 && info[1].ToBoolean().Value();
    const bool parseSpecial = info.Length() > 2 ? info[2].ToBoolean().Value() : true;
    const llama_vocab * vocab = llama_model_get_vocab(handle->model);
    std::vector<llama_token> tokens(text.size() + 8);
    int32_t n = llama_tokenize(vocab, text.data(), (int32_t) text.size(), tokens.data(), (int32_t) tokens.size(), addSpecial, parseSpecial);
    if (n < 0) {
        tokens.resize(-n);
        n = llama_tokenize(vocab, text.data(), (int32_t) text.size(), tokens.data(), (int32_t) tokens.size(), addSpecial, parseSpecial);
    }
    Napi::Int32Array out = Napi::Int32Array::New(env, std::max(n, 0));
    for (int32_t i = 0; i < n; i++) {
        out[i] = tokens[i];
    }
    return out;
}

// detokenize(tokens: Int32Array, renderSpecial = true): string
Napi::Value TrainerModel::detokenize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureReady(env);
    if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "detokenize(tokens, renderSpecial?): tokens must be an Int32Array");
    }
    Napi::Int32Array tokens = info[0].As<Napi::Int32Array>();
    const bool renderSpecial = info.Length() > 1 ? info[1].ToBoolean().Value() : true;
    const llama_vocab * vocab = llama_model_get_vocab(handle->model);
    const int32_t n_vocab = llama_vocab_n_tokens(vocab);
    for (size_t i = 0; i < tokens.ElementLength(); i++) {
        if (tokens[i] < 0 || tokens[i] >= n_vocab) {
            throw CodedError::js(env, "INVALID_ARGUMENT", "detokenize: token id out of the vocabulary");
        }
    }
    std::string text(tokens.ElementLength() * 8 + 16, '\0');
    int32_t n = llama_detokenize(vocab, tokens.Data(), (int32_t) tokens.ElementLength(), text.data(), (int32_t) text.size(), false, renderSpecial);
    if (n < 0) {
        text.resize(-n);
        n = llama_detokenize(vocab, tokens.Data(), (int32_t) tokens.ElementLength(), text.data(), (int32_t) text.size(), false, renderSpecial);
    }
    text.resize(std::max(n, 0));
    return Napi::String::New(env, text);
}

Napi::Value TrainerModel::dispose(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (disposed) {
        return env.Undefined();
    }
    if (loading) {
        throw CodedError::js(env, "BUSY", "the model is loading: await load() before disposing it");
    }
    if (handle && handle->users > 0) {
        throw CodedError::js(env, "BUSY", "dispose the adapters and sessions of this model first");
    }
    disposed = true;
    // No session can use them any more (users == 0): free the backward transposes now rather than
    // when the last JS wrapper holding the handle is garbage-collected.
    if (handle && handle->model) FrozenTranspose::release(handle->model);
    handle.reset();
    return env.Undefined();
}

Napi::Value TrainerModel::getDisposed(const Napi::CallbackInfo & info) {
    return Napi::Boolean::New(info.Env(), disposed);
}
