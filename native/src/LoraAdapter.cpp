#include "LoraAdapter.h"

#include "Errors.h"
#include "GgufOut.h"
#include "LlamaLog.h"
#include "PromiseWorker.h"
#include "TrainerModel.h"
#include "ggml-backend.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>

Napi::FunctionReference LoraAdapter::constructor;

namespace {

// Short module names (what users pick) to llama.cpp tensor name parts.
const std::map<std::string, std::string> kModules = {
    { "q", "attn_q" }, { "k", "attn_k" }, { "v", "attn_v" }, { "o", "attn_output" },
    { "gate", "ffn_gate" }, { "up", "ffn_up" }, { "down", "ffn_down" },
};

std::string joinTargets(const std::vector<std::string> & targets) {
    std::string out;
    for (const auto & t : targets) {
        out += (out.empty() ? "" : ",") + t;
    }
    return out;
}

} // namespace

// Creates (writes a fresh adapter file to a temporary path first: llama.cpp only loads adapters
// from files) or loads an adapter on a worker thread.
class LoraAdapterInitWorker : public PromiseWorker {
public:
    LoraAdapterInitWorker(Napi::Env env, LoraAdapter * owner, std::string path, bool fresh, uint32_t seed)
        : PromiseWorker(env, "LoraAdapterInit"), owner(owner), path(std::move(path)), fresh(fresh), seed(seed) {
        ref = Napi::Persistent(owner->Value());
    }

protected:
    void Run() override {
        namespace fs = std::filesystem;
        std::string file = path;
        if (fresh) {
            std::random_device rd;
            file = (fs::temp_directory_path() / ("lathe-adapter-" + std::to_string(rd()) + ".gguf")).string();
            writeFresh(file);
        }
        LlamaLog::takeErrors();
        loaded = std::make_shared<AdapterHandle>();
        loaded->model = owner->model;
        loaded->adapter = llama_adapter_lora_init(owner->model->model, file.c_str());
        if (fresh) {
            std::error_code ec;
            fs::remove(file, ec);
        }
        if (!loaded->adapter) {
            const std::string why = LlamaLog::takeErrors();
            throw CodedError("LOAD_FAILED", "cannot load LoRA adapter " + path + (why.empty() ? "" : ": " + why));
        }
        AdapterHandle & h = *loaded;
        if (fresh) {
            h.alpha = owner->alpha;
            h.targets = owner->targets;
        } else {
            char buf[64] = {0};
            h.alpha = llama_adapter_meta_val_str(h.adapter, "adapter.lora.alpha", buf, sizeof(buf)) > 0 ? std::strtof(buf, nullptr) : 0.0f;
        }
        for (int32_t i = 0;; i++) {
            ggml_tensor * t = llama_adapter_lora_get_tensor(h.adapter, i);
            if (!t) break;
            if (t->type != GGML_TYPE_F32) {
                throw CodedError("LOAD_FAILED", std::string("adapter tensor ") + t->name + " is not F32: only F32 adapters can be trained");
            }
            h.tensors.push_back({ t->name, t, t->ne[0], t->ne[1] });
        }
        std::sort(h.tensors.begin(), h.tensors.end(), [](const auto & a, const auto & b) { return a.name < b.name; });
        for (const auto & t : h.tensors) {
            if (t.name.size() > 7 && t.name.compare(t.name.size() - 7, 7, ".lora_a") == 0) {
                h.rank = static_cast<int32_t>(t.ne1);
                break;
            }
        }
        if (h.targets.empty()) {
            for (const auto & [shortName, part] : kModules) {
                for (const auto & t : h.tensors) {
                    if (t.name.find("." + part + ".weight.lora_") != std::string::npos) {
                        h.targets.push_back(shortName);
                        break;
                    }
                }
            }
        }
    }

    Napi::Value Result(Napi::Env env) override {
        owner->handle = std::move(loaded);
        return env.Undefined();
    }

    void Finally() override { owner->initializing = false; }

private:
    void writeFresh(const std::string & file) {
        const ModelHandle & m = *owner->model;
        std::vector<std::pair<std::string, std::array<int64_t, 2>>> picked;
        for (const auto & [name, ne] : m.shapes) {
            if (name.rfind("blk.", 0) != 0) continue;
            for (const auto & t : owner->targets) {
                const std::string suffix = "." + kModules.at(t) + ".weight";
                if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
                    picked.emplace_back(name, ne);
                }
            }
        }
        if (picked.empty()) {
            throw CodedError("INVALID_ARGUMENT", "the model has no weights for targets " + joinTargets(owner->targets));
        }
        // A: uniform(-1/sqrt(n_in), 1/sqrt(n_in)) (Kaiming-uniform with a = sqrt(5), as PEFT); B: zero,
        // so a fresh adapter leaves the model unchanged.
        std::mt19937 gen(seed);
        const int64_t r = owner->rank;
        std::vector<std::vector<float>> data;
        data.reserve(picked.size() * 2);
        GgufOut out(picked.size() * 2);
        out.setStr("general.type", "adapter");
        out.setStr("general.architecture", m.arch);
        out.setStr("adapter.type", "lora");
        out.setF32("adapter.lora.alpha", owner->alpha);
        for (const auto & [name, ne] : picked) {
            const int64_t nIn = ne[0], nOut = ne[1];
            const float bound = 1.0f / std::sqrt(static_cast<float>(nIn));
            std::uniform_real_distribution<float> dist(-bound, bound);
            std::vector<float> a(nIn * r);
            for (float & x : a) x = dist(gen);
            data.push_back(std::move(a));
            out.addTensor(name + ".lora_a", nIn, r, data.back().data());
            data.emplace_back(r * nOut, 0.0f);
            out.addTensor(name + ".lora_b", r, nOut, data.back().data());
        }
        out.write(file);
    }

    LoraAdapter * owner;
    Napi::ObjectReference ref;
    std::string path;
    bool fresh;
    uint32_t seed;
    std::shared_ptr<AdapterHandle> loaded;
};

class LoraAdapterSaveWorker : public PromiseWorker {
public:
    LoraAdapterSaveWorker(Napi::Env env, std::shared_ptr<AdapterHandle> handle, std::string path, std::map<std::string, std::string> meta)
        : PromiseWorker(env, "LoraAdapterSave"), handle(std::move(handle)), path(std::move(path)), meta(std::move(meta)) {}

protected:
    void Run() override {
        const AdapterHandle & h = *handle;
        const std::vector<float> all = h.readAll();
        GgufOut out(h.tensors.size());
        out.setStr("general.type", "adapter");
        out.setStr("general.architecture", h.model->arch);
        out.setStr("adapter.type", "lora");
        out.setF32("adapter.lora.alpha", h.alpha);
        out.setU32("lathe.lora.rank", static_cast<uint32_t>(h.rank));
        out.setStr("lathe.lora.targets", joinTargets(h.targets));
        for (const auto & [k, v] : meta) {
            out.setStr(k.c_str(), v);
        }
        size_t offset = 0;
        for (const auto & t : h.tensors) {
            out.addTensor(t.name, t.ne0, t.ne1, all.data() + offset);
            offset += t.ne0 * t.ne1;
        }
        out.write(path);
    }

    void Finally() override { handle->busy = false; }

private:
    std::shared_ptr<AdapterHandle> handle;
    std::string path;
    std::map<std::string, std::string> meta;
};

Napi::Function LoraAdapter::define(Napi::Env env) {
    Napi::Function fn = DefineClass(env, "LoraAdapter", {
        InstanceMethod("create", &LoraAdapter::create),
        InstanceMethod("load", &LoraAdapter::load),
        InstanceMethod("info", &LoraAdapter::info),
        InstanceMethod("getTensor", &LoraAdapter::getTensor),
        InstanceMethod("setTensor", &LoraAdapter::setTensor),
        InstanceMethod("save", &LoraAdapter::save),
        InstanceMethod("dispose", &LoraAdapter::dispose),
        InstanceAccessor("disposed", &LoraAdapter::getDisposed, nullptr),
    });
    constructor = Napi::Persistent(fn);
    constructor.SuppressDestruct();
    return fn;
}

bool LoraAdapter::isInstance(const Napi::Value & value) {
    return value.IsObject() && value.As<Napi::Object>().InstanceOf(constructor.Value());
}

// new LoraAdapter(model)
LoraAdapter::LoraAdapter(const Napi::CallbackInfo & info) : Napi::ObjectWrap<LoraAdapter>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !TrainerModel::isInstance(info[0])) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "LoraAdapter(model): model must be a TrainerModel");
    }
    TrainerModel * m = TrainerModel::Unwrap(info[0].As<Napi::Object>());
    m->ensureReady(env);
    model = m->handle;
    model->users++;
}

LoraAdapter::~LoraAdapter() {
    if (!disposed) {
        model->users--;
    }
}

void LoraAdapter::ensureReady(Napi::Env env) const {
    if (disposed) {
        throw CodedError::js(env, "DISPOSED", "the adapter has been disposed");
    }
    if (!handle) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "the adapter is empty: await create() or load() first");
    }
}

void LoraAdapter::ensureIdle(Napi::Env env) const {
    ensureReady(env);
    if (handle->busy) {
        throw CodedError::js(env, "BUSY", "the adapter is in use by a running operation");
    }
}

const AdapterHandle::Tensor * AdapterHandle::find(const std::string & name) const {
    for (const auto & t : tensors) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

std::vector<float> AdapterHandle::readAll() const {
    size_t n = 0;
    for (const auto & t : tensors) n += t.ne0 * t.ne1;
    std::vector<float> out(n);
    size_t offset = 0;
    for (const auto & t : tensors) {
        ggml_backend_tensor_get(t.tensor, out.data() + offset, 0, ggml_nbytes(t.tensor));
        offset += t.ne0 * t.ne1;
    }
    return out;
}

// create({rank, alpha, targets, seed}): Promise<void>
Napi::Value LoraAdapter::create(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (disposed) throw CodedError::js(env, "DISPOSED", "the adapter has been disposed");
    if (handle || initializing) throw CodedError::js(env, "BUSY", "the adapter is already created or loading");
    if (info.Length() < 1 || !info[0].IsObject()) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "create({rank, alpha, targets, seed})");
    }
    Napi::Object o = info[0].As<Napi::Object>();
    const int32_t r = o.Get("rank").IsNumber() ? o.Get("rank").As<Napi::Number>().Int32Value() : 0;
    if (r < 1 || r > 4096) throw CodedError::js(env, "INVALID_ARGUMENT", "rank must be an integer in [1, 4096]");
    const float a = o.Get("alpha").IsNumber() ? o.Get("alpha").As<Napi::Number>().FloatValue() : 2.0f * r;
    if (!(a > 0.0f)) throw CodedError::js(env, "INVALID_ARGUMENT", "alpha must be positive");
    std::vector<std::string> t;
    if (!o.Get("targets").IsArray()) throw CodedError::js(env, "INVALID_ARGUMENT", "targets must be an array of q, k, v, o, gate, up, down");
    Napi::Array arr = o.Get("targets").As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) {
        const std::string s = arr.Get(i).ToString().Utf8Value();
        if (!kModules.count(s)) throw CodedError::js(env, "INVALID_ARGUMENT", "unknown target module '" + s + "' (use q, k, v, o, gate, up, down)");
        if (std::find(t.begin(), t.end(), s) == t.end()) t.push_back(s);
    }
    if (t.empty()) throw CodedError::js(env, "INVALID_ARGUMENT", "targets must not be empty");
    const uint32_t seed = o.Get("seed").IsNumber() ? o.Get("seed").As<Napi::Number>().Uint32Value() : 42;
    rank = r;
    alpha = a;
    targets = t;
    initializing = true;
    auto * worker = new LoraAdapterInitWorker(env, this, "(new adapter)", true, seed);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

// load(path): Promise<void>
Napi::Value LoraAdapter::load(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (disposed) throw CodedError::js(env, "DISPOSED", "the adapter has been disposed");
    if (handle || initializing) throw CodedError::js(env, "BUSY", "the adapter is already created or loading");
    if (info.Length() < 1 || !info[0].IsString()) throw CodedError::js(env, "INVALID_ARGUMENT", "load(path): path must be a string");
    initializing = true;
    auto * worker = new LoraAdapterInitWorker(env, this, info[0].As<Napi::String>().Utf8Value(), false, 0);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

Napi::Value LoraAdapter::info(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureReady(env);
    const AdapterHandle & h = *handle;
    const auto & targets = h.targets;
    const auto & tensors = h.tensors;
    Napi::Object o = Napi::Object::New(env);
    o.Set("rank", h.rank);
    o.Set("alpha", h.alpha);
    Napi::Array t = Napi::Array::New(env, targets.size());
    for (size_t i = 0; i < targets.size(); i++) t.Set(i, targets[i]);
    o.Set("targets", t);
    Napi::Array names = Napi::Array::New(env, tensors.size());
    double n = 0;
    for (size_t i = 0; i < tensors.size(); i++) {
        Napi::Object e = Napi::Object::New(env);
        e.Set("name", tensors[i].name);
        Napi::Array ne = Napi::Array::New(env, 2);
        ne.Set(0u, static_cast<double>(tensors[i].ne0));
        ne.Set(1u, static_cast<double>(tensors[i].ne1));
        e.Set("ne", ne);
        names.Set(i, e);
        n += static_cast<double>(tensors[i].ne0 * tensors[i].ne1);
    }
    o.Set("tensors", names);
    o.Set("nParams", n);
    return o;
}

// getTensor(name): Float32Array
Napi::Value LoraAdapter::getTensor(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    const std::string name = info.Length() > 0 ? info[0].ToString().Utf8Value() : "";
    const AdapterHandle::Tensor * t = handle->find(name);
    if (!t) throw CodedError::js(env, "INVALID_ARGUMENT", "no adapter tensor named " + name);
    Napi::Float32Array out = Napi::Float32Array::New(env, t->ne0 * t->ne1);
    ggml_backend_tensor_get(t->tensor, out.Data(), 0, ggml_nbytes(t->tensor));
    return out;
}

// setTensor(name, Float32Array)
Napi::Value LoraAdapter::setTensor(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    const std::string name = info.Length() > 0 ? info[0].ToString().Utf8Value() : "";
    const AdapterHandle::Tensor * t = handle->find(name);
    if (!t) throw CodedError::js(env, "INVALID_ARGUMENT", "no adapter tensor named " + name);
    if (info.Length() < 2 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "setTensor(name, values): values must be a Float32Array");
    }
    Napi::Float32Array v = info[1].As<Napi::Float32Array>();
    if (static_cast<int64_t>(v.ElementLength()) != t->ne0 * t->ne1) {
        throw CodedError::js(env, "INVALID_ARGUMENT", name + " has " + std::to_string(t->ne0 * t->ne1) + " elements");
    }
    ggml_backend_tensor_set(t->tensor, v.Data(), 0, ggml_nbytes(t->tensor));
    return env.Undefined();
}

// save(path, metadata?: Record<string, string>): Promise<void>
Napi::Value LoraAdapter::save(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    if (info.Length() < 1 || !info[0].IsString()) throw CodedError::js(env, "INVALID_ARGUMENT", "save(path, metadata?): path must be a string");
    std::map<std::string, std::string> meta;
    if (info.Length() > 1 && info[1].IsObject()) {
        Napi::Object o = info[1].As<Napi::Object>();
        Napi::Array keys = o.GetPropertyNames();
        for (uint32_t i = 0; i < keys.Length(); i++) {
            const std::string k = keys.Get(i).ToString().Utf8Value();
            meta[k] = o.Get(k).ToString().Utf8Value();
        }
    }
    handle->busy = true;
    auto * worker = new LoraAdapterSaveWorker(env, handle, info[0].As<Napi::String>().Utf8Value(), std::move(meta));
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

Napi::Value LoraAdapter::dispose(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (disposed) return env.Undefined();
    if (initializing || (handle && handle->busy)) throw CodedError::js(env, "BUSY", "the adapter is in use by a running operation");
    if (handle && handle->sessions > 0) throw CodedError::js(env, "BUSY", "dispose the training sessions of this adapter first");
    disposed = true;
    handle.reset();
    model->users--;
    return env.Undefined();
}

Napi::Value LoraAdapter::getDisposed(const Napi::CallbackInfo & info) {
    return Napi::Boolean::New(info.Env(), disposed);
}
