#include "TrainingSession.h"

#include "BackwardOps.h"
#include "Errors.h"
#include "FrozenTranspose.h"
#include "GgufOut.h"
#include "LlamaLog.h"
#include "PromiseWorker.h"
#include "ggml-backend.h"
#include "gguf.h"
#include "llama-ext.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <thread>
#include <string>
#include <unordered_set>

namespace {

bool isTrainable(const ggml_tensor * tensor, void * userdata) {
    return static_cast<std::unordered_set<const ggml_tensor *> *>(userdata)->count(tensor) > 0;
}

bool shouldAbort(void * data) {
    return static_cast<std::atomic<bool> *>(data)->load();
}

double numberOr(const Napi::Object & o, const char * key, double fallback) {
    Napi::Value v = o.Get(key);
    return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

const char * kCheckpointType = "lathe.checkpoint";

} // namespace

// Creates the llama context and makes the adapter's tensors trainable.
class SessionInitWorker : public PromiseWorker {
public:
    SessionInitWorker(Napi::Env env, TrainingSession * owner) : PromiseWorker(env, "TrainingSessionInit"), owner(owner) {
        ref = Napi::Persistent(owner->Value());
    }

protected:
    void Run() override {
        TrainingSession & s = *owner;
        llama_context_params cp = llama_context_default_params();
        cp.n_ctx = s.windowSize;
        cp.n_batch = s.windowSize;
        cp.n_ubatch = s.windowSize;
        cp.n_seq_max = 1;
        cp.n_threads = s.threads;
        cp.n_threads_batch = s.threads;
        cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED; // no backward pass
        cp.type_k = GGML_TYPE_F32;
        cp.type_v = GGML_TYPE_F32;
        cp.kv_unified = true; // packing: many sequences in one window
        cp.no_perf = true;
        if (s.profile) {
            cp.cb_eval = OpProfile::callback;
            cp.cb_eval_user_data = s.profile.get();
        }
        LlamaLog::takeErrors();
        ctx = llama_init_from_model(s.model->model, cp);
        if (!ctx) {
            throw CodedError("TRAINING_FAILED", "cannot create a training context: " + LlamaLog::takeErrors());
        }
        if (llama_n_ctx(ctx) != static_cast<uint32_t>(s.windowSize)) {
            throw CodedError("INVALID_ARGUMENT", "windowSize must be a multiple of 256 (llama.cpp rounds the context to " +
                                                     std::to_string(llama_n_ctx(ctx)) + ")");
        }
        llama_adapter_lora * a = s.adapter->adapter;
        float scale = 1.0f;
        if (llama_set_adapters_lora(ctx, &a, 1, &scale) != 0) {
            throw CodedError("TRAINING_FAILED", "cannot attach the adapter: " + LlamaLog::takeErrors());
        }
        std::unordered_set<const ggml_tensor *> trainable;
        for (const auto & t : s.adapter->tensors) trainable.insert(t.tensor);
        llama_opt_params op = {};
        op.n_ctx_train = 0;
        op.param_filter = isTrainable;
        op.param_filter_ud = &trainable;
        op.get_opt_pars = ggml_opt_get_default_optimizer_params;
        op.get_opt_pars_ud = nullptr;
        op.optimizer_type = GGML_OPT_OPTIMIZER_TYPE_ADAMW;
        op.build_type = GGML_OPT_BUILD_TYPE_GRAD; // the optimizer runs here, on the host
        // Backward ops the adapter's device lacks, built from ones it has (see BackwardOps.h); before
        // llama_opt_init, which sizes the scheduler for the backward graph by it.
        {
            std::vector<ggml_tensor *> adapterTensors;
            for (const auto & t : s.adapter->tensors) adapterTensors.push_back(t.tensor);
            BackwardOps::configure(adapterTensors);
        }
        llama_opt_init(ctx, s.model->model, op);
        // Gradients through the frozen weights as MUL_MATs with their transposes (see FrozenTranspose.h).
        FrozenTranspose::enable(s.model->model);
        for (const auto & t : s.adapter->tensors) {
            if (!(t.tensor->flags & GGML_TENSOR_FLAG_PARAM)) {
                throw CodedError("TRAINING_FAILED", "adapter tensor " + t.name + " was not made trainable");
            }
        }
        llama_set_abort_callback(ctx, shouldAbort, &s.abortFlag);
        llama_opt_record_placement(ctx, s.recordPlacement);
        std::vector<ggml_tensor *> tensors;
        for (const auto & t : s.adapter->tensors) tensors.push_back(t.tensor);
        device = DeviceOptimizer::create(tensors);
    }

    Napi::Value Result(Napi::Env env) override {
        TrainingSession & s = *owner;
        s.ctx = ctx;
        ctx = nullptr;
        s.device = std::move(device);
        s.params.clear();
        for (const auto & t : s.adapter->tensors) {
            const size_t n = t.ne0 * t.ne1;
            const size_t hostN = s.device ? 0 : n;
            s.params.push_back({ &t, n, std::vector<float>(hostN, 0.0f), std::vector<float>(hostN, 0.0f), std::vector<float>(hostN, 0.0f) });
        }
        return env.Undefined();
    }

    void Finally() override {
        owner->end();
        if (ctx) {
            llama_free(ctx);
            ctx = nullptr;
        }
    }

private:
    TrainingSession * owner;
    Napi::ObjectReference ref;
    llama_context * ctx = nullptr;
    std::unique_ptr<DeviceOptimizer> device;
};

// Forward (and backward) passes over windows; progress after each window.
class WindowsWorker : public PromiseWorker {
public:
    WindowsWorker(Napi::Env env, TrainingSession * owner, std::vector<TrainingSession::Window> windows, bool train, Napi::Value onProgress)
        : PromiseWorker(env, train ? "TrainingSessionForwardBackward" : "TrainingSessionEvaluate"),
          owner(owner), windows(std::move(windows)), train(train) {
        ref = Napi::Persistent(owner->Value());
        if (onProgress.IsFunction()) {
            progress = Napi::ThreadSafeFunction::New(env, onProgress.As<Napi::Function>(), "TrainingSessionProgress", 0, 1);
            hasProgress = true;
        }
    }

    ~WindowsWorker() override {
        if (hasProgress) progress.Release();
    }

protected:
    struct Progress {
        int32_t done, total;
        double lossSum;
        int64_t nTokens;
    };

    void Run() override {
        TrainingSession & s = *owner;
        std::vector<float> tmp;
        for (size_t w = 0; w < windows.size(); w++) {
            if (s.abortFlag.load()) {
                fail("ABORTED", "aborted");
            }
            const auto & win = windows[w];
            llama_opt_window lw = {};
            lw.n_tokens = s.windowSize;
            lw.token = win.tokens.data();
            lw.label = win.labels.data();
            lw.pos = win.positions.empty() ? nullptr : win.positions.data();
            lw.seq_id = win.seqIds.empty() ? nullptr : win.seqIds.data();
            lw.n_rows = s.rows;
            lw.label_weight = win.labelWeights.empty() ? nullptr : win.labelWeights.data();
            double loss = 0.0;
            int32_t correct = 0;
            LlamaLog::takeErrors();
            if (s.profile) s.profile->beginWindow();
            const int32_t ret = llama_opt_window_eval(s.ctx, &lw, train, &loss, &correct);
            if (ret == 1 || s.abortFlag.load()) {
                fail("ABORTED", "aborted");
            }
            if (ret != 0) {
                fail("INVALID_ARGUMENT", "window " + std::to_string(w) + " rejected: " + LlamaLog::takeErrors());
            }
            if (!std::isfinite(loss)) {
                fail("TRAINING_FAILED", "the loss is not finite (window " + std::to_string(w) + ")");
            }
            lossSum += loss;
            losses.push_back(loss);
            nTokens += win.nUnmasked;
            nCorrect += correct;
            if (train) {
                // llama_opt_grad holds d(loss sum / n_tokens): scale back to the sum.
                const float scale = static_cast<float>(s.windowSize);
                float weight = win.weight;
                if (win.preference) {
                    // d(−log σ(β·Δ))/dΔ = −β·σ(−β·Δ), Δ = reference − loss: the gradient of L times β·σ(−β·Δ)
                    const double z = win.beta * (win.reference - loss);
                    const double sig = z >= 0 ? std::exp(-z) / (1.0 + std::exp(-z)) : 1.0 / (1.0 + std::exp(z));
                    weight = static_cast<float>(win.scale * win.beta * sig);
                }
                weights.push_back(weight);
                std::vector<ggml_tensor *> grads;
                for (auto & p : s.params) {
                    ggml_tensor * g = llama_opt_grad(s.ctx, p.tensor->tensor);
                    if (!g) {
                        fail("TRAINING_FAILED", "no gradient for " + p.tensor->name);
                    }
                    if (s.device) {
                        grads.push_back(g);
                        continue;
                    }
                    tmp.resize(p.n);
                    ggml_backend_tensor_get(g, tmp.data(), 0, p.n * sizeof(float));
                    const float k = scale * weight;
                    for (size_t i = 0; i < p.n; i++) p.grad[i] += tmp[i] * k;
                }
                if (s.device) {
                    try {
                        s.device->accumulate(grads, scale, weight);
                    } catch (const CodedError & e) {
                        fail(e.code.c_str(), e.what());
                    }
                }
                s.gradTokens += win.nUnmasked;
                s.gradWindows += 1;
            }
            if (hasProgress) {
                progress.NonBlockingCall(new Progress{ static_cast<int32_t>(w + 1), static_cast<int32_t>(windows.size()), lossSum, nTokens },
                    [](Napi::Env env, Napi::Function cb, Progress * p) {
                        Napi::Object o = Napi::Object::New(env);
                        o.Set("windowsDone", p->done);
                        o.Set("windowsTotal", p->total);
                        o.Set("lossSum", p->lossSum);
                        o.Set("nTokens", static_cast<double>(p->nTokens));
                        delete p;
                        cb.Call({ o });
                    });
            }
        }
    }

    Napi::Value Result(Napi::Env env) override {
        Napi::Object o = Napi::Object::New(env);
        o.Set("lossSum", lossSum);
        o.Set("nTokens", static_cast<double>(nTokens));
        o.Set("nCorrect", static_cast<double>(nCorrect));
        o.Set("nWindows", static_cast<double>(windows.size()));
        Napi::Float64Array perWindow = Napi::Float64Array::New(env, losses.size());
        for (size_t i = 0; i < losses.size(); i++) perWindow[i] = losses[i];
        o.Set("losses", perWindow);
        Napi::Float64Array applied = Napi::Float64Array::New(env, weights.size());
        for (size_t i = 0; i < weights.size(); i++) applied[i] = weights[i];
        o.Set("weights", applied);
        return o;
    }

    void Finally() override { owner->end(); }

private:
    [[noreturn]] void fail(const char * code, const std::string & message) {
        // A partial accumulation is useless: the caller restarts the step.
        if (train) owner->zeroGrads();
        throw CodedError(code, message);
    }

    TrainingSession * owner;
    Napi::ObjectReference ref;
    std::vector<TrainingSession::Window> windows;
    bool train;
    Napi::ThreadSafeFunction progress;
    bool hasProgress = false;
    double lossSum = 0.0;
    std::vector<double> losses; // each window's loss sum, in order
    std::vector<double> weights; // each training window's gradient weight, in order
    int64_t nTokens = 0;
    int64_t nCorrect = 0;
};

struct StepOptions {
    double lr = 0.0;
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.0;
    double maxGradNorm = 0.0; // 0: no clipping
    bool sgd = false;
    bool mean = true; // divide the summed gradient by the number of unmasked tokens
};

class StepWorker : public PromiseWorker {
public:
    StepWorker(Napi::Env env, TrainingSession * owner, StepOptions opts)
        : PromiseWorker(env, "TrainingSessionStep"), owner(owner), o(opts) {
        ref = Napi::Persistent(owner->Value());
    }

protected:
    void Run() override {
        TrainingSession & s = *owner;
        nTokens = s.gradTokens;
        const double scale = o.mean ? 1.0 / std::max(1.0, s.gradTokens) : 1.0;
        double sq = 0.0;
        if (s.device) {
            sq = s.device->squaredNorm() * scale * scale;
        } else {
            for (const auto & p : s.params) {
                for (float g : p.grad) sq += (g * scale) * (g * scale);
            }
        }
        gradNorm = std::sqrt(sq);
        if (!std::isfinite(gradNorm)) {
            s.zeroGrads();
            throw CodedError("TRAINING_FAILED", "the gradient is not finite");
        }
        const double clip = o.maxGradNorm > 0.0 && gradNorm > o.maxGradNorm ? o.maxGradNorm / (gradNorm + 1e-6) : 1.0;
        const float gs = static_cast<float>(scale * clip);
        const int64_t t = s.step + 1;
        const float lr = static_cast<float>(o.lr);
        const float b1 = static_cast<float>(o.beta1), b2 = static_cast<float>(o.beta2);
        const float eps = static_cast<float>(o.eps), wd = static_cast<float>(o.weightDecay);
        const float bc1 = static_cast<float>(1.0 - std::pow(o.beta1, static_cast<double>(t)));
        const float bc2 = static_cast<float>(1.0 - std::pow(o.beta2, static_cast<double>(t)));
        if (s.device) {
            // On the GPU beside the adapter: ggml's OPT_STEP_ADAMW / OPT_STEP_SGD, same arithmetic.
            DeviceOptimizer::Step st;
            st.sgd = o.sgd;
            st.lr = lr;
            st.beta1 = b1;
            st.beta2 = b2;
            st.eps = eps;
            st.weightDecay = wd;
            st.gradScale = gs;
            st.t = t;
            s.device->step(st);
            s.step = t;
            s.zeroGrads();
            return;
        }
        // Weights come from (and go back to) the backend's memory, the GPU's in a GPU build: read
        // them all, update on the host with `threads` workers (each element's arithmetic is the
        // same whatever the split, so the result does not depend on the thread count), write back.
        std::vector<std::vector<float>> ws(s.params.size());
        for (size_t k = 0; k < s.params.size(); k++) {
            ws[k].resize(s.params[k].n);
            ggml_backend_tensor_get(s.params[k].tensor->tensor, ws[k].data(), 0, s.params[k].n * sizeof(float));
        }
        auto update = [&](size_t k) {
            auto & p = s.params[k];
            std::vector<float> & w = ws[k];
            if (o.sgd) {
                for (size_t i = 0; i < p.n; i++) {
                    w[i] -= lr * (p.grad[i] * gs + wd * w[i]);
                }
            } else {
                // AdamW as in PyTorch: decoupled weight decay, bias-corrected moments.
                for (size_t i = 0; i < p.n; i++) {
                    const float g = p.grad[i] * gs;
                    p.m[i] = b1 * p.m[i] + (1.0f - b1) * g;
                    p.v[i] = b2 * p.v[i] + (1.0f - b2) * g * g;
                    const float mh = p.m[i] / bc1;
                    const float vh = p.v[i] / bc2;
                    w[i] -= lr * (mh / (std::sqrt(vh) + eps) + wd * w[i]);
                }
            }
        };
        const size_t nWorkers = std::min<size_t>(std::max(1, s.threads), s.params.size());
        std::atomic<size_t> next{ 0 };
        std::vector<std::thread> workers;
        for (size_t i = 1; i < nWorkers; i++) {
            workers.emplace_back([&] { for (size_t k; (k = next++) < s.params.size();) update(k); });
        }
        for (size_t k; (k = next++) < s.params.size();) update(k);
        for (auto & th : workers) th.join();
        for (size_t k = 0; k < s.params.size(); k++) {
            ggml_backend_tensor_set(s.params[k].tensor->tensor, ws[k].data(), 0, s.params[k].n * sizeof(float));
        }
        s.step = t;
        s.zeroGrads();
    }

    Napi::Value Result(Napi::Env env) override {
        Napi::Object r = Napi::Object::New(env);
        r.Set("step", static_cast<double>(owner->step));
        r.Set("gradNorm", gradNorm);
        r.Set("nTokens", nTokens);
        return r;
    }

    void Finally() override { owner->end(); }

private:
    TrainingSession * owner;
    Napi::ObjectReference ref;
    StepOptions o;
    double gradNorm = 0.0;
    double nTokens = 0.0;
};

// A checkpoint is one GGUF file: the adapter's tensors, the AdamW moments (<name>.adam_m/.adam_v),
// the optimizer step, and an opaque state string from JS (schedule position, data order, RNG).
class CheckpointSaveWorker : public PromiseWorker {
public:
    CheckpointSaveWorker(Napi::Env env, TrainingSession * owner, std::string path, std::string state)
        : PromiseWorker(env, "TrainingSessionSaveCheckpoint"), owner(owner), path(std::move(path)), state(std::move(state)) {
        ref = Napi::Persistent(owner->Value());
    }

protected:
    void Run() override {
        const TrainingSession & s = *owner;
        const AdapterHandle & a = *s.adapter;
        const std::vector<float> values = a.readAll();
        GgufOut out(s.params.size() * 3);
        out.setStr("general.type", kCheckpointType);
        out.setStr("general.architecture", a.model->arch);
        out.setU32("lathe.checkpoint.version", 1);
        out.setF32("adapter.lora.alpha", a.alpha);
        out.setU32("lathe.lora.rank", static_cast<uint32_t>(a.rank));
        out.setU64("lathe.checkpoint.step", static_cast<uint64_t>(s.step));
        out.setStr("lathe.checkpoint.state", state);
        size_t offset = 0;
        // With a DeviceOptimizer the moments are read back from the GPU (kept alive until written).
        std::vector<std::vector<float>> moments;
        moments.reserve(s.device ? 2 * s.params.size() : 0);
        for (size_t k = 0; k < s.params.size(); k++) {
            const auto & p = s.params[k];
            const auto & t = *p.tensor;
            const float * m = p.m.data();
            const float * v = p.v.data();
            if (s.device) {
                moments.emplace_back(p.n);
                moments.emplace_back(p.n);
                s.device->readMoments(k, moments[2 * k].data(), moments[2 * k + 1].data());
                m = moments[2 * k].data();
                v = moments[2 * k + 1].data();
            }
            out.addTensor(t.name, t.ne0, t.ne1, values.data() + offset);
            out.addTensor(t.name + ".adam_m", t.ne0, t.ne1, m);
            out.addTensor(t.name + ".adam_v", t.ne0, t.ne1, v);
            offset += p.n;
        }
        out.write(path);
    }

    void Finally() override { owner->end(); }

private:
    TrainingSession * owner;
    Napi::ObjectReference ref;
    std::string path, state;
};

class CheckpointLoadWorker : public PromiseWorker {
public:
    CheckpointLoadWorker(Napi::Env env, TrainingSession * owner, std::string path)
        : PromiseWorker(env, "TrainingSessionLoadCheckpoint"), owner(owner), path(std::move(path)) {
        ref = Napi::Persistent(owner->Value());
    }

protected:
    void Run() override {
        TrainingSession & s = *owner;
        ggml_context * data = nullptr;
        gguf_init_params gp = { /*.no_alloc =*/ false, /*.ctx =*/ &data };
        gguf_context * g = gguf_init_from_file(path.c_str(), gp);
        if (!g) {
            throw CodedError("IO", "cannot read checkpoint " + path);
        }
        struct Free {
            gguf_context * g;
            ggml_context * d;
            ~Free() { gguf_free(g); ggml_free(d); }
        } guard{ g, data };
        const int64_t type = gguf_find_key(g, "general.type");
        if (type < 0 || std::string(gguf_get_val_str(g, type)) != kCheckpointType) {
            throw CodedError("INVALID_ARGUMENT", path + " is not a Lathe checkpoint");
        }
        const int64_t stepKey = gguf_find_key(g, "lathe.checkpoint.step");
        const int64_t stateKey = gguf_find_key(g, "lathe.checkpoint.state");
        if (stepKey < 0 || stateKey < 0) {
            throw CodedError("INVALID_ARGUMENT", path + " lacks the checkpoint step or state");
        }
        // Validate everything before changing anything.
        std::vector<std::array<ggml_tensor *, 3>> found;
        for (const auto & p : s.params) {
            const auto & t = *p.tensor;
            std::array<ggml_tensor *, 3> ts = { ggml_get_tensor(data, t.name.c_str()), ggml_get_tensor(data, (t.name + ".adam_m").c_str()),
                                                ggml_get_tensor(data, (t.name + ".adam_v").c_str()) };
            for (ggml_tensor * x : ts) {
                if (!x || x->type != GGML_TYPE_F32 || x->ne[0] != t.ne0 || x->ne[1] != t.ne1) {
                    throw CodedError("INVALID_ARGUMENT", "checkpoint " + path + " does not match this adapter (" + t.name + ")");
                }
            }
            found.push_back(ts);
        }
        for (size_t i = 0; i < s.params.size(); i++) {
            auto & p = s.params[i];
            ggml_backend_tensor_set(p.tensor->tensor, found[i][0]->data, 0, p.n * sizeof(float));
            if (s.device) {
                s.device->writeMoments(i, static_cast<const float *>(found[i][1]->data), static_cast<const float *>(found[i][2]->data));
                continue;
            }
            std::memcpy(p.m.data(), found[i][1]->data, p.n * sizeof(float));
            std::memcpy(p.v.data(), found[i][2]->data, p.n * sizeof(float));
        }
        s.step = static_cast<int64_t>(gguf_get_val_u64(g, stepKey));
        state = gguf_get_val_str(g, stateKey);
        s.zeroGrads();
    }

    Napi::Value Result(Napi::Env env) override {
        Napi::Object r = Napi::Object::New(env);
        r.Set("step", static_cast<double>(owner->step));
        r.Set("state", state);
        return r;
    }

    void Finally() override { owner->end(); }

private:
    TrainingSession * owner;
    Napi::ObjectReference ref;
    std::string path, state;
};

Napi::Function TrainingSession::define(Napi::Env env) {
    return DefineClass(env, "TrainingSession", {
        InstanceMethod("init", &TrainingSession::init),
        InstanceMethod("forwardBackward", &TrainingSession::forwardBackward),
        InstanceMethod("evaluate", &TrainingSession::evaluate),
        InstanceMethod("optimizerStep", &TrainingSession::optimizerStep),
        InstanceMethod("gradient", &TrainingSession::gradient),
        InstanceMethod("nodePlacement", &TrainingSession::nodePlacement),
        InstanceMethod("opProfile", &TrainingSession::opProfile),
        InstanceAccessor("graphBuilds", &TrainingSession::getGraphBuilds, nullptr),
        InstanceMethod("memory", &TrainingSession::memory),
        InstanceMethod("zeroGrad", &TrainingSession::zeroGrad),
        InstanceMethod("saveCheckpoint", &TrainingSession::saveCheckpoint),
        InstanceMethod("loadCheckpoint", &TrainingSession::loadCheckpoint),
        InstanceMethod("abort", &TrainingSession::abort),
        InstanceMethod("dispose", &TrainingSession::dispose),
        InstanceAccessor("step", &TrainingSession::getStep, nullptr),
        InstanceAccessor("busy", &TrainingSession::getBusy, nullptr),
        InstanceAccessor("disposed", &TrainingSession::getDisposed, nullptr),
    });
}

// Windows whose graph was built rather than reused (llama_opt_graph_builds): 0 before the first.
Napi::Value TrainingSession::getGraphBuilds(const Napi::CallbackInfo & info) {
    return Napi::Number::New(info.Env(), ctx ? llama_opt_graph_builds(ctx) : 0);
}

// Where the time of the windows since the last call went, by op (needs {profileOps: true}; OpProfile.h).
Napi::Value TrainingSession::opProfile(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    if (!profile) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "create the session with {profileOps: true} to profile its ops");
    }
    return profile->take(env);
}

// Where the scheduler ran the nodes of the first training window's graph (needs {recordPlacement: true}):
// {nodes, byBackend: {name: count}, computeByBackend, cpuOps: [{op, name, src0Type}]}. Views,
// reshapes, permutes and transposes move no data and run no kernel: they count in byBackend only.
Napi::Value TrainingSession::nodePlacement(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    if (!recordPlacement) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "create the session with {recordPlacement: true} to record node placement");
    }
    const llama_opt_node_placement * nodes = nullptr;
    const int32_t n = llama_opt_placement(ctx, &nodes);
    Napi::Object out = Napi::Object::New(env);
    Napi::Object byBackend = Napi::Object::New(env);
    Napi::Object computeByBackend = Napi::Object::New(env);
    Napi::Array cpuOps = Napi::Array::New(env);
    uint32_t nCpu = 0;
    static const std::unordered_set<std::string> noKernel = { "NONE", "VIEW", "RESHAPE", "PERMUTE", "TRANSPOSE" };
    for (int32_t i = 0; i < n; i++) {
        const std::string backend = nodes[i].backend[0] ? nodes[i].backend : "unassigned";
        const auto bump = [&](Napi::Object & o) {
            o.Set(backend, (o.Has(backend) ? o.Get(backend).As<Napi::Number>().Int32Value() : 0) + 1);
        };
        bump(byBackend);
        if (noKernel.count(nodes[i].op)) continue;
        bump(computeByBackend);
        if (backend.rfind("CPU", 0) == 0 || backend == "unassigned") {
            Napi::Object op = Napi::Object::New(env);
            op.Set("op", nodes[i].op);
            op.Set("name", nodes[i].name);
            op.Set("backend", backend);
            op.Set("src0", nodes[i].src0_name);
            op.Set("src0Type", nodes[i].src0_type >= 0 ? Napi::Value(Napi::String::New(env, ggml_type_name(static_cast<ggml_type>(nodes[i].src0_type)))) : env.Null());
            cpuOps.Set(nCpu++, op);
        }
    }
    out.Set("nodes", n);
    out.Set("byBackend", byBackend);
    out.Set("computeByBackend", computeByBackend);
    out.Set("cpuOps", cpuOps);
    return out;
}

// The memory this session's training holds, per device, in bytes, as allocated (not estimated):
// [{device, host, model, context, compute, adapter, gradients, transposes, optimizer}].
// `model`: the base weights; `context`: the KV cache of one window; `compute`: the scheduler's
// buffers, sized by the largest graph so far (after a training window: forward + backward, i.e.
// the activations); `adapter`: the LoRA tensors; `gradients`: ggml-opt's accumulators (one F32
// per adapter value, on the first backend, as ggml-opt allocates them); `transposes`: the frozen
// weights' transposes (FrozenTranspose); `optimizer`: the host's gradient copy and AdamW moments.
// Host buffers (the CPU's and pinned host memory) count as the device "CPU".
Napi::Value TrainingSession::memory(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    struct Row {
        bool host = false;
        size_t model = 0, context = 0, compute = 0, adapter = 0, gradients = 0, transposes = 0, optimizer = 0;
    };
    std::map<std::string, Row> rows;
    const auto row = [&](ggml_backend_buffer_type_t buft) -> Row & {
        if (!buft || ggml_backend_buft_is_host(buft)) {
            Row & r = rows["CPU"];
            r.host = true;
            return r;
        }
        ggml_backend_dev_t dev = ggml_backend_buft_get_device(buft);
        return rows[dev ? ggml_backend_dev_name(dev) : ggml_backend_buft_name(buft)];
    };
    for (const auto & [buft, d] : llama_get_memory_breakdown(ctx)) {
        Row & r = row(buft);
        r.model += d.model;
        r.context += d.context;
        r.compute += d.compute;
    }
    size_t adapterBytes = 0;
    ggml_backend_buffer_type_t adapterBuft = nullptr;
    for (const auto & t : adapter->tensors) {
        const size_t n = ggml_nbytes(t.tensor);
        adapterBytes += n;
        if (t.tensor->buffer) adapterBuft = ggml_backend_buffer_get_type(t.tensor->buffer);
        row(t.tensor->buffer ? ggml_backend_buffer_get_type(t.tensor->buffer) : nullptr).adapter += n;
    }
    for (const auto & [buft, n] : FrozenTranspose::bytesByBufferType(model->model)) row(buft).transposes += n;
    // ggml-opt allocates its gradient accumulators on the scheduler's first backend: the first GPU
    // when layers are offloaded (where the adapter lives), the CPU otherwise.
    row(adapterBuft).gradients += adapterBytes;
    size_t hostFloats = 0;
    for (const auto & p : params) hostFloats += p.grad.size() + p.m.size() + p.v.size();
    if (hostFloats > 0) row(nullptr).optimizer += hostFloats * sizeof(float);
    if (device) row(device->bufferType()).optimizer += device->bytes();

    Napi::Array out = Napi::Array::New(env);
    uint32_t i = 0;
    for (const auto & [name, r] : rows) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("device", name);
        o.Set("host", r.host);
        o.Set("model", static_cast<double>(r.model));
        o.Set("context", static_cast<double>(r.context));
        o.Set("compute", static_cast<double>(r.compute));
        o.Set("adapter", static_cast<double>(r.adapter));
        o.Set("gradients", static_cast<double>(r.gradients));
        o.Set("transposes", static_cast<double>(r.transposes));
        o.Set("optimizer", static_cast<double>(r.optimizer));
        o.Set("total", static_cast<double>(r.model + r.context + r.compute + r.adapter + r.gradients + r.transposes + r.optimizer));
        out.Set(i++, o);
    }
    return out;
}

// new TrainingSession(model, adapter, {windowSize, threads, rows?, recordPlacement?, profileOps?})
TrainingSession::TrainingSession(const Napi::CallbackInfo & info) : Napi::ObjectWrap<TrainingSession>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !TrainerModel::isInstance(info[0]) || !LoraAdapter::isInstance(info[1]) || !info[2].IsObject()) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "TrainingSession(model, adapter, {windowSize, threads})");
    }
    TrainerModel * m = TrainerModel::Unwrap(info[0].As<Napi::Object>());
    LoraAdapter * a = LoraAdapter::Unwrap(info[1].As<Napi::Object>());
    m->ensureReady(env);
    a->ensureReady(env);
    if (a->model != m->handle) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "the adapter belongs to another model");
    }
    if (a->handle->busy) {
        throw CodedError::js(env, "BUSY", "the adapter is in use by a running operation");
    }
    Napi::Object o = info[2].As<Napi::Object>();
    windowSize = static_cast<int32_t>(numberOr(o, "windowSize", 0));
    threads = static_cast<int32_t>(numberOr(o, "threads", 0));
    recordPlacement = o.Get("recordPlacement").ToBoolean().Value();
    if (o.Get("profileOps").ToBoolean().Value()) profile = std::make_unique<OpProfile>();
    if (windowSize < 256 || windowSize % 256 != 0) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "windowSize must be a positive multiple of 256");
    }
    const double rowsIn = numberOr(o, "rows", 1);
    if (rowsIn < 1 || rowsIn > windowSize || rowsIn != std::floor(rowsIn) || windowSize % static_cast<int32_t>(rowsIn) != 0) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "rows must be a whole number of rows that divides windowSize (" +
                                                          std::to_string(windowSize) + ")");
    }
    rows = static_cast<int32_t>(rowsIn);
    if (threads <= 0) {
        threads = static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
    }
    model = m->handle;
    adapter = a->handle;
    model->users++;
    adapter->sessions++;
}

TrainingSession::~TrainingSession() {
    device.reset();
    if (ctx) {
        llama_free(ctx);
        ctx = nullptr;
    }
    if (!disposed) {
        model->users--;
        adapter->sessions--;
    }
}

void TrainingSession::zeroGrads() {
    for (auto & p : params) std::fill(p.grad.begin(), p.grad.end(), 0.0f);
    if (device) device->zeroGradients();
    gradTokens = 0;
    gradWindows = 0;
}

void TrainingSession::ensureIdle(Napi::Env env) const {
    if (disposed) throw CodedError::js(env, "DISPOSED", "the training session has been disposed");
    if (busy || initializing) throw CodedError::js(env, "BUSY", "another operation of this session is running");
    if (!ctx) throw CodedError::js(env, "INVALID_ARGUMENT", "the session is not initialized: await init() first");
    if (adapter->busy) throw CodedError::js(env, "BUSY", "the adapter is in use by a running operation");
}

void TrainingSession::begin() {
    busy = true;
    adapter->busy = true;
    abortFlag.store(false);
}

void TrainingSession::end() {
    busy = false;
    initializing = false;
    adapter->busy = false;
}

Napi::Value TrainingSession::init(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (disposed) throw CodedError::js(env, "DISPOSED", "the training session has been disposed");
    if (ctx || initializing) throw CodedError::js(env, "BUSY", "the session is already initialized or initializing");
    if (adapter->busy) throw CodedError::js(env, "BUSY", "the adapter is in use by a running operation");
    initializing = true;
    adapter->busy = true;
    auto * worker = new SessionInitWorker(env, this);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

std::vector<TrainingSession::Window> TrainingSession::parseWindows(Napi::Env env, const Napi::Value & value) const {
    if (!value.IsArray()) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "windows must be an array of {tokens, labels, positions?, seqIds?}");
    }
    const int32_t nVocab = llama_vocab_n_tokens(llama_model_get_vocab(model->model));
    Napi::Array arr = value.As<Napi::Array>();
    std::vector<Window> out(arr.Length());
    auto read = [&](const Napi::Object & o, const char * key, bool required, std::vector<int32_t> & dst, uint32_t w) {
        Napi::Value v = o.Get(key);
        if (v.IsUndefined() && !required) return;
        if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
            throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + ": " + key + " must be an Int32Array");
        }
        Napi::Int32Array a = v.As<Napi::Int32Array>();
        if (static_cast<int32_t>(a.ElementLength()) != windowSize) {
            throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + ": " + key + " has " +
                                                              std::to_string(a.ElementLength()) + " entries, the window is " + std::to_string(windowSize));
        }
        dst.assign(a.Data(), a.Data() + a.ElementLength());
    };
    for (uint32_t w = 0; w < arr.Length(); w++) {
        if (!arr.Get(w).IsObject()) throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + " is not an object");
        Napi::Object o = arr.Get(w).As<Napi::Object>();
        Window & win = out[w];
        read(o, "tokens", true, win.tokens, w);
        read(o, "labels", true, win.labels, w);
        read(o, "positions", false, win.positions, w);
        read(o, "seqIds", false, win.seqIds, w);
        Napi::Value weight = o.Get("weight");
        if (!weight.IsUndefined()) {
            const double v = weight.IsNumber() ? weight.As<Napi::Number>().DoubleValue() : NAN;
            if (!std::isfinite(v) || std::fabs(v) > 1e6) {
                throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + ": weight must be a finite number");
            }
            win.weight = static_cast<float>(v);
        }
        Napi::Value lwv = o.Get("labelWeights");
        if (!lwv.IsUndefined()) {
            if (!lwv.IsTypedArray() || lwv.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
                static_cast<int32_t>(lwv.As<Napi::Float32Array>().ElementLength()) != windowSize) {
                throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + ": labelWeights must be a Float32Array of " + std::to_string(windowSize));
            }
            Napi::Float32Array a = lwv.As<Napi::Float32Array>();
            win.labelWeights.assign(a.Data(), a.Data() + a.ElementLength());
            for (float x : win.labelWeights) {
                if (!std::isfinite(x)) throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + ": labelWeights must be finite");
            }
        }
        Napi::Value pv = o.Get("preference");
        if (!pv.IsUndefined()) {
            if (!pv.IsObject()) throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + ": preference must be {reference, beta, scale}");
            Napi::Object po = pv.As<Napi::Object>();
            win.preference = true;
            win.reference = numberOr(po, "reference", NAN);
            win.beta = numberOr(po, "beta", NAN);
            win.scale = numberOr(po, "scale", NAN);
            if (!std::isfinite(win.reference) || !(win.beta > 0) || !std::isfinite(win.beta) || !std::isfinite(win.scale)) {
                throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + ": preference needs a finite reference, beta > 0 and a finite scale");
            }
        }
        for (int32_t i = 0; i < windowSize; i++) {
            if (win.tokens[i] < 0 || win.tokens[i] >= nVocab || win.labels[i] >= nVocab) {
                throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + ": token or label out of the vocabulary at " + std::to_string(i));
            }
            if (!win.seqIds.empty() && (win.seqIds[i] < 0 || win.seqIds[i] >= 256)) {
                throw CodedError::js(env, "INVALID_ARGUMENT", "window " + std::to_string(w) + ": seqIds must be in [0, 255]");
            }
            win.nUnmasked += win.labels[i] >= 0;
        }
    }
    return out;
}

Napi::Value TrainingSession::runWindows(const Napi::CallbackInfo & info, bool train) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    std::vector<Window> windows = parseWindows(env, info.Length() > 0 ? info[0] : env.Undefined());
    begin();
    auto * worker = new WindowsWorker(env, this, std::move(windows), train, info.Length() > 1 ? info[1] : env.Undefined());
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

Napi::Value TrainingSession::forwardBackward(const Napi::CallbackInfo & info) { return runWindows(info, true); }
Napi::Value TrainingSession::evaluate(const Napi::CallbackInfo & info) { return runWindows(info, false); }

// optimizerStep({lr, beta1?, beta2?, eps?, weightDecay?, maxGradNorm?, optimizer?: 'adamw'|'sgd', normalize?: 'mean'|'sum'})
Napi::Value TrainingSession::optimizerStep(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    if (info.Length() < 1 || !info[0].IsObject()) throw CodedError::js(env, "INVALID_ARGUMENT", "optimizerStep({lr, ...})");
    Napi::Object o = info[0].As<Napi::Object>();
    StepOptions s;
    s.lr = numberOr(o, "lr", -1);
    s.beta1 = numberOr(o, "beta1", s.beta1);
    s.beta2 = numberOr(o, "beta2", s.beta2);
    s.eps = numberOr(o, "eps", s.eps);
    s.weightDecay = numberOr(o, "weightDecay", s.weightDecay);
    s.maxGradNorm = numberOr(o, "maxGradNorm", s.maxGradNorm);
    if (o.Get("optimizer").IsString()) {
        const std::string v = o.Get("optimizer").As<Napi::String>().Utf8Value();
        if (v != "adamw" && v != "sgd") throw CodedError::js(env, "INVALID_ARGUMENT", "optimizer must be adamw or sgd");
        s.sgd = v == "sgd";
    }
    if (o.Get("normalize").IsString()) {
        const std::string v = o.Get("normalize").As<Napi::String>().Utf8Value();
        if (v != "mean" && v != "sum") throw CodedError::js(env, "INVALID_ARGUMENT", "normalize must be mean or sum");
        s.mean = v == "mean";
    }
    if (!(s.lr >= 0.0) || !(s.beta1 >= 0 && s.beta1 < 1) || !(s.beta2 >= 0 && s.beta2 < 1) || !(s.eps >= 0) || !(s.weightDecay >= 0) || !(s.maxGradNorm >= 0)) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "optimizerStep: lr >= 0, betas in [0, 1), eps, weightDecay, maxGradNorm >= 0");
    }
    begin();
    auto * worker = new StepWorker(env, this, s);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

// gradient(name): Float32Array, the accumulated sum-of-loss gradient (not normalized)
Napi::Value TrainingSession::gradient(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    const std::string name = info.Length() > 0 ? info[0].ToString().Utf8Value() : "";
    for (const auto & p : params) {
        if (p.tensor->name == name) {
            Napi::Float32Array out = Napi::Float32Array::New(env, p.n);
            if (device) device->readGradient(static_cast<size_t>(&p - params.data()), out.Data());
            else std::copy(p.grad.begin(), p.grad.end(), out.Data());
            return out;
        }
    }
    throw CodedError::js(env, "INVALID_ARGUMENT", "no trainable tensor named " + name);
}

Napi::Value TrainingSession::zeroGrad(const Napi::CallbackInfo & info) {
    ensureIdle(info.Env());
    zeroGrads();
    return info.Env().Undefined();
}

// saveCheckpoint(path, state: string): Promise<void>
Napi::Value TrainingSession::saveCheckpoint(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "saveCheckpoint(path, state): both strings");
    }
    begin();
    auto * worker = new CheckpointSaveWorker(env, this, info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value());
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

// loadCheckpoint(path): Promise<{step, state}>
Napi::Value TrainingSession::loadCheckpoint(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    ensureIdle(env);
    if (info.Length() < 1 || !info[0].IsString()) throw CodedError::js(env, "INVALID_ARGUMENT", "loadCheckpoint(path)");
    begin();
    auto * worker = new CheckpointLoadWorker(env, this, info[0].As<Napi::String>().Utf8Value());
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}

Napi::Value TrainingSession::abort(const Napi::CallbackInfo & info) {
    abortFlag.store(true);
    return info.Env().Undefined();
}

Napi::Value TrainingSession::dispose(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (disposed) return env.Undefined();
    if (busy || initializing) throw CodedError::js(env, "BUSY", "abort() and await the running operation before disposing the session");
    disposed = true;
    device.reset();
    if (ctx) {
        llama_free(ctx);
        ctx = nullptr;
    }
    params.clear();
    model->users--;
    adapter->sessions--;
    return env.Undefined();
}

Napi::Value TrainingSession::getStep(const Napi::CallbackInfo & info) { return Napi::Number::New(info.Env(), static_cast<double>(step)); }
Napi::Value TrainingSession::getBusy(const Napi::CallbackInfo & info) { return Napi::Boolean::New(info.Env(), busy || initializing); }
Napi::Value TrainingSession::getDisposed(const Napi::CallbackInfo & info) { return Napi::Boolean::New(info.Env(), disposed); }
