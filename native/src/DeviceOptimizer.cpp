#include "DeviceOptimizer.h"

#include "Errors.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace {

ggml_context * tensorContext(size_t nTensors) {
    ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * (nTensors + 4), /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    return ggml_init(ip);
}

} // namespace

std::unique_ptr<DeviceOptimizer> DeviceOptimizer::create(const std::vector<ggml_tensor *> & params) {
    const char * env = std::getenv("LATHE_OPTIMIZER");
    if (env && std::strcmp(env, "host") == 0) return nullptr;
    if (params.empty() || !params[0]->buffer) return nullptr;
    ggml_backend_buffer_type_t buft = ggml_backend_buffer_get_type(params[0]->buffer);
    if (ggml_backend_buft_is_host(buft)) return nullptr;
    for (const ggml_tensor * p : params) {
        if (!p->buffer || ggml_backend_buffer_get_type(p->buffer) != buft || p->type != GGML_TYPE_F32) return nullptr;
    }
    ggml_backend_dev_t dev = ggml_backend_buft_get_device(buft);
    if (!dev) return nullptr;

    std::unique_ptr<DeviceOptimizer> o(new DeviceOptimizer());
    o->params = params;
    o->buft = buft;
    o->name = ggml_backend_dev_name(dev);
    o->backend = ggml_backend_dev_init(dev, nullptr);
    if (!o->backend) throw CodedError("TRAINING_FAILED", "cannot start a backend on " + o->name + " for the optimizer");
    o->ctx = tensorContext(3 * params.size() + 4);
    // One flat accumulator, padded to whole rows of `normRow`, with a view per parameter: zeroing,
    // the global norm and the gradient scale are one operation each instead of one per tensor.
    int64_t total = 0;
    for (const ggml_tensor * p : params) total += ggml_nelements(p);
    const int64_t rows = std::max<int64_t>(1, (total + normRow - 1) / normRow);
    o->accAll = ggml_new_tensor_2d(o->ctx, GGML_TYPE_F32, normRow, rows);
    o->norm = ggml_new_tensor_1d(o->ctx, GGML_TYPE_F32, 1);
    int64_t offset = 0;
    for (ggml_tensor * p : params) {
        const size_t f = sizeof(float);
        o->acc.push_back(ggml_view_4d(o->ctx, o->accAll, p->ne[0], p->ne[1], p->ne[2], p->ne[3], p->ne[0] * f, p->ne[0] * p->ne[1] * f,
                                      p->ne[0] * p->ne[1] * p->ne[2] * f, offset * f));
        o->offsets.push_back(offset);
        offset += ggml_nelements(p);
        o->m.push_back(ggml_dup_tensor(o->ctx, p));
        o->v.push_back(ggml_dup_tensor(o->ctx, p));
    }
    o->adamw = ggml_new_tensor_1d(o->ctx, GGML_TYPE_F32, 7);
    o->sgd = ggml_new_tensor_1d(o->ctx, GGML_TYPE_F32, 2);
    o->buffer = ggml_backend_alloc_ctx_tensors_from_buft(o->ctx, buft);
    if (!o->buffer) {
        throw CodedError("TRAINING_FAILED", "not enough memory on " + o->name + " for the optimizer state (" +
                                                std::to_string(3 * ggml_nbytes(o->accAll) / (1 << 20)) + "+ MiB)");
    }
    ggml_backend_buffer_clear(o->buffer, 0);
    o->galloc = ggml_gallocr_new(buft);
    return o;
}

DeviceOptimizer::~DeviceOptimizer() {
    if (galloc) ggml_gallocr_free(galloc);
    if (buffer) ggml_backend_buffer_free(buffer);
    if (ctx) ggml_free(ctx);
    if (backend) ggml_backend_free(backend);
}

template <typename Build> void DeviceOptimizer::compute(Build build) {
    const size_t graphSize = 4 * params.size() + 16;
    ggml_init_params ip = { /*.mem_size =*/ ggml_tensor_overhead() * graphSize + ggml_graph_overhead_custom(graphSize, false),
                            /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    ggml_context * g = ggml_init(ip);
    struct Free {
        ggml_context * c;
        ~Free() { ggml_free(c); }
    } guard{ g };
    ggml_cgraph * graph = ggml_new_graph_custom(g, graphSize, false);
    build(g, graph);
    if (!ggml_gallocr_alloc_graph(galloc, graph)) {
        throw CodedError("TRAINING_FAILED", "not enough memory on " + name + " for the optimizer's work buffers");
    }
    if (ggml_backend_graph_compute(backend, graph) != GGML_STATUS_SUCCESS) {
        throw CodedError("TRAINING_FAILED", "the optimizer's graph failed on " + name);
    }
}

ggml_tensor * DeviceOptimizer::slice(ggml_context * g, ggml_tensor * flat, size_t k) const {
    const ggml_tensor * a = acc[k];
    return ggml_view_4d(g, flat, a->ne[0], a->ne[1], a->ne[2], a->ne[3], a->nb[1], a->nb[2], a->nb[3], offsets[k] * sizeof(float));
}

void DeviceOptimizer::accumulate(const std::vector<ggml_tensor *> & grads, float scale, float weight) {
    if (grads.size() != params.size()) throw CodedError("TRAINING_FAILED", "gradient count does not match the adapter");
    for (const ggml_tensor * gr : grads) {
        if (!gr->buffer || !ggml_backend_supports_buft(backend, ggml_backend_buffer_get_type(gr->buffer))) {
            throw CodedError("TRAINING_FAILED", "a gradient is not on " + name + ", where the adapter is");
        }
    }
    // The windows of a step share one scale (the session's window size): the accumulator sums the
    // raw gradients and the scale is applied once, in the norm and in the step (no SCALE per
    // tensor per window).
    if (accScale != 0.0f && scale != accScale) {
        throw CodedError("TRAINING_FAILED", "the windows of one optimizer step must share one gradient scale");
    }
    accScale = scale;
    compute([&](ggml_context * g, ggml_cgraph * graph) {
        for (size_t k = 0; k < params.size(); k++) {
            // a weighted window (a preference pair's side) adds its gradient scaled by its weight
            ggml_tensor * gr = weight == 1.0f ? grads[k] : ggml_scale(g, grads[k], weight);
            ggml_build_forward_expand(graph, ggml_add_inplace(g, acc[k], gr));
        }
    });
}

double DeviceOptimizer::squaredNorm() {
    if (accScale == 0.0f) return 0.0;
    // Σ over rows of normRow squares, then over the rows: three operations, one float read back
    ggml_tensor * out = nullptr;
    compute([&](ggml_context * g, ggml_cgraph * graph) {
        out = ggml_cpy(g, ggml_sum(g, ggml_sum_rows(g, ggml_sqr(g, accAll))), norm);
        ggml_build_forward_expand(graph, out);
    });
    float x = 0;
    ggml_backend_tensor_get(norm, &x, 0, sizeof(float));
    return static_cast<double>(x) * accScale * accScale;
}

void DeviceOptimizer::step(const Step & s) {
    if (s.sgd) {
        const float p[2] = { s.lr, s.weightDecay };
        ggml_backend_tensor_set(sgd, p, 0, sizeof(p));
    } else {
        const float p[7] = {
            s.lr, s.beta1, s.beta2, s.eps, s.weightDecay,
            static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(s.beta1), static_cast<double>(s.t)))),
            static_cast<float>(1.0 / (1.0 - std::pow(static_cast<double>(s.beta2), static_cast<double>(s.t)))),
        };
        ggml_backend_tensor_set(adamw, p, 0, sizeof(p));
    }
    const float gradScale = s.gradScale * (accScale != 0.0f ? accScale : 1.0f);
    compute([&](ggml_context * g, ggml_cgraph * graph) {
        // one SCALE over the flat accumulator, then each parameter's update reads its slice
        ggml_tensor * scaled = gradScale != 1.0f ? ggml_scale(g, accAll, gradScale) : nullptr;
        for (size_t k = 0; k < params.size(); k++) {
            ggml_tensor * grad = scaled ? slice(g, scaled, k) : acc[k];
            ggml_tensor * upd = s.sgd ? ggml_opt_step_sgd(g, params[k], grad, sgd)
                                      : ggml_opt_step_adamw(g, params[k], grad, m[k], v[k], adamw);
            ggml_build_forward_expand(graph, upd);
        }
    });
}

void DeviceOptimizer::zeroGradients() {
    ggml_backend_tensor_memset(accAll, 0, 0, ggml_nbytes(accAll));
    accScale = 0.0f;
}

void DeviceOptimizer::zeroMoments() {
    for (size_t k = 0; k < params.size(); k++) {
        ggml_backend_tensor_memset(m[k], 0, 0, ggml_nbytes(m[k]));
        ggml_backend_tensor_memset(v[k], 0, 0, ggml_nbytes(v[k]));
    }
}

void DeviceOptimizer::readGradient(size_t k, float * out) const {
    ggml_backend_tensor_get(acc[k], out, 0, ggml_nbytes(acc[k]));
    if (accScale != 0.0f && accScale != 1.0f) {
        for (int64_t i = 0, n = ggml_nelements(acc[k]); i < n; i++) out[i] *= accScale;
    }
}

void DeviceOptimizer::readMoments(size_t k, float * mOut, float * vOut) const {
    ggml_backend_tensor_get(m[k], mOut, 0, ggml_nbytes(m[k]));
    ggml_backend_tensor_get(v[k], vOut, 0, ggml_nbytes(v[k]));
}

void DeviceOptimizer::writeMoments(size_t k, const float * mIn, const float * vIn) {
    ggml_backend_tensor_set(m[k], mIn, 0, ggml_nbytes(m[k]));
    ggml_backend_tensor_set(v[k], vIn, 0, ggml_nbytes(v[k]));
}

size_t DeviceOptimizer::bytes() const {
    return (buffer ? ggml_backend_buffer_get_size(buffer) : 0) + (galloc ? ggml_gallocr_get_buffer_size(galloc, 0) : 0);
}
