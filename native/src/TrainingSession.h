#pragma once

#include <napi.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "DeviceOptimizer.h"
#include "LoraAdapter.h"
#include "OpProfile.h"
#include "TrainerModel.h"

// One training run over a model and a LoRA adapter (JS: `TrainingSession`): a llama context whose
// training window is `windowSize` tokens, the adapter's tensors as the only trainable parameters,
// gradients accumulated on the host across windows, and AdamW/SGD applied on the host, one
// optimizer step per call, with the learning rate the caller passes (it owns the schedule).
class TrainingSession : public Napi::ObjectWrap<TrainingSession> {
public:
    static Napi::Function define(Napi::Env env);

    explicit TrainingSession(const Napi::CallbackInfo & info);
    ~TrainingSession() override;

    // One window as passed from JS, validated and copied on the main thread.
    struct Window {
        std::vector<int32_t> tokens, labels, positions, seqIds;
        int32_t nUnmasked = 0;
        // the window's gradient enters the step's sum times this (a preference pair's side: ±w)
        float weight = 1.0f;
        // each label's weight in the loss (empty: all 1); a preference pair: +1 chosen, −1 rejected
        std::vector<float> labelWeights;
        // a preference pair (DPO): the weight comes from the window's own loss, L = NLL(chosen) −
        // NLL(rejected): weight = scale·β·σ(−β·(reference − L)), reference being L under the base
        bool preference = false;
        double reference = 0.0, beta = 0.0, scale = 0.0;
    };

    struct Param {
        const AdapterHandle::Tensor * tensor;
        size_t n;
        // Host optimizer only (empty with a DeviceOptimizer, which keeps them beside the adapter):
        std::vector<float> grad; // sum over windows of d(sum of unmasked cross-entropy)/d(param)
        std::vector<float> m, v; // AdamW moments
    };

    llama_context * ctx = nullptr;
    std::shared_ptr<ModelHandle> model;
    std::shared_ptr<AdapterHandle> adapter;
    std::vector<Param> params;
    // Set when the adapter lives on a GPU: gradients, moments and the update stay there.
    std::unique_ptr<DeviceOptimizer> device;
    int64_t step = 0;        // optimizer steps taken
    double gradTokens = 0;   // unmasked tokens whose loss the gradients hold
    int32_t gradWindows = 0; // windows whose gradients are accumulated
    int32_t windowSize = 0;
    int32_t rows = 1; // {rows}: the window is `rows` rows of windowSize/rows tokens, each attended to on its own
    int32_t threads = 0;
    bool recordPlacement = false; // keep the scheduler's node placement of the first training window (nodePlacement)
    std::unique_ptr<OpProfile> profile; // {profileOps: true}: time every node of every window (opProfile)
    std::atomic<bool> abortFlag{ false };

    void zeroGrads();

private:
    friend class SessionInitWorker;

    Napi::Value init(const Napi::CallbackInfo & info);
    Napi::Value forwardBackward(const Napi::CallbackInfo & info);
    Napi::Value evaluate(const Napi::CallbackInfo & info);
    Napi::Value optimizerStep(const Napi::CallbackInfo & info);
    Napi::Value gradient(const Napi::CallbackInfo & info);
    Napi::Value nodePlacement(const Napi::CallbackInfo & info);
    Napi::Value opProfile(const Napi::CallbackInfo & info);
    Napi::Value memory(const Napi::CallbackInfo & info);
    Napi::Value zeroGrad(const Napi::CallbackInfo & info);
    Napi::Value saveCheckpoint(const Napi::CallbackInfo & info);
    Napi::Value loadCheckpoint(const Napi::CallbackInfo & info);
    Napi::Value abort(const Napi::CallbackInfo & info);
    Napi::Value dispose(const Napi::CallbackInfo & info);
    Napi::Value getStep(const Napi::CallbackInfo & info);
    Napi::Value getBusy(const Napi::CallbackInfo & info);
    Napi::Value getDisposed(const Napi::CallbackInfo & info);
    Napi::Value getGraphBuilds(const Napi::CallbackInfo & info);

    Napi::Value runWindows(const Napi::CallbackInfo & info, bool train);
    std::vector<Window> parseWindows(Napi::Env env, const Napi::Value & value) const;
    void ensureIdle(Napi::Env env) const;
    // Marks the session and its adapter busy until the returned worker finishes.
    void begin();

    bool initializing = false;
    bool disposed = false;

public:
    bool busy = false;
    void end();
};
