#pragma once

#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml.h"

#include <memory>
#include <string>
#include <vector>

// The optimizer of a training session whose adapter lives on a GPU: the gradient accumulators and
// the AdamW moments stay beside the adapter, in the same device memory, and every step runs there
// as ggml graphs (ADD to accumulate a window's gradient, SQR/SUM for the global norm, SCALE for
// normalization and clipping, OPT_STEP_ADAMW or OPT_STEP_SGD for the update). Nothing crosses to
// the host during training but the per-tensor squared norms (one float per tensor per step).
//
// The arithmetic is the host optimizer's (TrainingSession's StepWorker): AdamW as in PyTorch
// (decoupled weight decay, bias-corrected moments), the gradient of the summed loss divided by the
// step's unmasked tokens, then clipped to a global L2 norm. Moments are read and written for
// checkpoints, which therefore stay interchangeable with the host path's.
//
// `LATHE_OPTIMIZER=host` in the environment keeps the host path on a GPU too (for comparisons).
class DeviceOptimizer {
public:
    // For `params` (the adapter's tensors, all in one non-host buffer type): allocates the
    // accumulators and moments in that buffer type and a backend on its device. Null when the
    // tensors are in host memory, on more than one device, or the environment asks for the host.
    static std::unique_ptr<DeviceOptimizer> create(const std::vector<ggml_tensor *> & params);
    ~DeviceOptimizer();

    DeviceOptimizer(const DeviceOptimizer &) = delete;
    DeviceOptimizer & operator=(const DeviceOptimizer &) = delete;

    // acc[k] += grads[k] * scale for every parameter.
    void accumulate(const std::vector<ggml_tensor *> & grads, float scale);
    // Σ acc[k]² per parameter.
    std::vector<double> squaredNorms();
    struct Step {
        bool sgd = false;
        float lr = 0, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, weightDecay = 0;
        float gradScale = 1;   // applied to the accumulated gradient first (normalization × clipping)
        int64_t t = 1;         // the step number, for AdamW's bias correction
    };
    void step(const Step & s);
    void zeroGradients();
    void zeroMoments();

    void readGradient(size_t k, float * out) const;
    void readMoments(size_t k, float * m, float * v) const;
    void writeMoments(size_t k, const float * m, const float * v);

    // Bytes of the accumulators, moments and work buffers (device memory).
    size_t bytes() const;
    ggml_backend_buffer_type_t bufferType() const { return buft; }
    const std::string & deviceName() const { return name; }

private:
    DeviceOptimizer() = default;
    // Builds a graph in a temporary context with `build`, allocates its intermediates and computes it.
    template <typename Build> void compute(Build build);

    std::vector<ggml_tensor *> params, acc, m, v;
    ggml_tensor * adamw = nullptr; // [7]: lr, beta1, beta2, eps, wd, 1/(1-beta1^t), 1/(1-beta2^t)
    ggml_tensor * sgd = nullptr;   // [2]: lr, wd
    ggml_context * ctx = nullptr;
    ggml_backend_buffer_t buffer = nullptr;
    ggml_backend_buffer_type_t buft = nullptr;
    ggml_backend_t backend = nullptr;
    ggml_gallocr_t galloc = nullptr;
    std::string name;
};
