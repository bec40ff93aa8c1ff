#include "DeviceOptimizer.h"

#include "Errors.h"

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
    o->ctx = tensorContext(3 * params.size() + 2);
    for (ggml_tensor * p : params) {
        o->acc.push_back(ggml_dup_tensor(o->ctx, p));
        o->m.push_back(ggml_dup_tensor(o->ctx, p));
        o->v.push_back(ggml_dup_tensor(o->ctx, p));
    }
    o->adamw = ggml_new_tensor_1d(o->ctx, GGML_TYPE_F32, 7);
    o->sgd = ggml_new_tensor_1d(o->ctx, GGML_TYPE_F32, 2);
    o->buffer = ggml_backend_alloc_ctx_tensors_from_buft(o->ctx, buft);
    if (!o->buffer) {
        throw CodedError("TRAINING_FAILED", "not enough memory on " + o->name + " for the optimizer state (" +
                                                std::to_string(3 * ggml_nbytes(params[0]) * params.size() / (1 << 20)) + "+ MiB)");
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

void DeviceOptimizer::accumulate(const std::vector<ggml_tensor *> & grads, float scale) {
    if (grads.size() != params.size()) throw CodedError("TRAINING_FAILED", "gradient count does not match the adapter");
    for (const ggml_tensor * gr : grads) {
        if (!gr->buffer || !ggml_backend_supports_buft(backend, ggml_backend_buffer_get_type(gr->buffer))) {
            throw CodedError("TRAINING_FAILED", "a gradient is not on " + name + ", where the adapter is");
        }
    }
    compute([&](ggml_context * g, ggml_cgraph * graph) {
        for (size_t k = 0; k < params.size(); k++) {
            ggml_tensor * add = grads[k];
            if (scale != 1.0f) add = ggml_scale(g, add, scale);
            ggml_build_forward_expand(graph, ggml_add_inplace(g, acc[k], add));
        }
    });
}

std::vector<double> DeviceOptimizer::squaredNorms() {
    std::vector<ggml_tensor *> sums(params.size());
    std::vector<double> out(params.size());
    compute([&](ggml_context * g, ggml_cgraph * graph) {
        for (size_t k = 0; k < params.size(); k++) {
            sums[k] = ggml_sum(g, ggml_sqr(g, acc[k]));
            ggml_set_output(sums[k]);
            ggml_build_forward_expand(graph, sums[k]);
        }
    });
    for (size_t k = 0; k < params.size(); k++) {
        float x = 0;
        ggml_backend_tensor_get(sums[k], &x, 0, sizeof(float));
        out[k] = x;
    }
    return out;
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
    compute([&](ggml_context * g, ggml_cgraph * graph) {
        for (size_t k = 0; k < params.size(); k++) {
            ggml_tensor * grad = s.gradScale != 1.0f ? ggml_scale(g, acc[k], s.gradScale) : acc[k];
            ggml_tensor * upd = s.sgd ? ggml_opt_step_sgd(g, params[k], grad, sgd)
                                      : ggml_opt_step_adamw(g, params[k], grad, m[k], v[k], adamw);
            ggml_build_forward_expand(graph, upd);
        }
    });
}

void DeviceOptimizer::zeroGradients() {
    for (ggml_tensor * a : acc) ggml_backend_tensor_memset(a, 0, 0, ggml_nbytes(a));
}

void DeviceOptimizer::zeroMoments() {
    for (size_t k = 0; k < params.size(); k++) {
        ggml_backend_tensor_memset(m[k], 0, 0, ggml_nbytes(m[k]));
        ggml_backend_tensor_memset(v[k], 0, 0, ggml_nbytes(v[k]));
    }
}

void DeviceOptimizer::readGradient(size_t k, float * out) const { ggml_backend_tensor_get(acc[k], out, 0, ggml_nbytes(acc[k])); }

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
