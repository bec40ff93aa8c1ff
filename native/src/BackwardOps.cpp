#include "BackwardOps.h"

#include "ggml-backend.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace BackwardOps {
namespace {

struct Op {
    const char * name;
    unsigned bit;
};

const Op ops[] = {
    { "out_prod", GGML_BACKWARD_DECOMPOSE_OUT_PROD },
    { "rms_norm_back", GGML_BACKWARD_DECOMPOSE_RMS_NORM_BACK },
    { "soft_max_back", GGML_BACKWARD_DECOMPOSE_SOFT_MAX_BACK },
    { "cross_entropy_loss_back", GGML_BACKWARD_DECOMPOSE_CROSS_ENTROPY_LOSS_BACK },
    { "repeat_back", GGML_BACKWARD_DECOMPOSE_REPEAT_BACK },
};

unsigned allBits() {
    unsigned all = 0;
    for (const Op & op : ops) all |= op.bit;
    return all;
}

// -1: not set; else the mask it asks for.
long fromEnv() {
    const char * v = std::getenv("LATHE_DECOMPOSE");
    if (!v || !*v) return -1;
    if (std::strcmp(v, "all") == 0) return allBits();
    if (std::strcmp(v, "none") == 0) return 0;
    unsigned mask = 0;
    std::stringstream in(v);
    std::string item;
    while (std::getline(in, item, ',')) {
        for (const Op & op : ops) {
            if (item == op.name) mask |= op.bit;
        }
    }
    return mask;
}

// The ops the device has no kernel for, asked of it with one small node of each (the shapes of the
// training graph's: F32, rows of a few dozen values).
unsigned missingOn(ggml_backend_dev_t dev) {
    ggml_init_params ip = { ggml_tensor_overhead() * 32, nullptr, true };
    ggml_context * ctx = ggml_init(ip);
    if (!ctx) return 0;
    auto t2 = [&](int64_t a, int64_t b) { return ggml_new_tensor_2d(ctx, GGML_TYPE_F32, a, b); };
    struct Probe {
        unsigned bit;
        ggml_tensor * node;
    };
    const Probe probes[] = {
        { GGML_BACKWARD_DECOMPOSE_OUT_PROD, ggml_out_prod(ctx, t2(64, 32), t2(48, 32)) },
        { GGML_BACKWARD_DECOMPOSE_RMS_NORM_BACK, ggml_rms_norm_back(ctx, t2(64, 8), t2(64, 8), 1e-5f) },
        { GGML_BACKWARD_DECOMPOSE_SOFT_MAX_BACK, ggml_soft_max_ext_back(ctx, t2(64, 8), t2(64, 8), 1.0f, 0.0f) },
        { GGML_BACKWARD_DECOMPOSE_CROSS_ENTROPY_LOSS_BACK,
          ggml_cross_entropy_loss_back(ctx, ggml_new_tensor_1d(ctx, GGML_TYPE_F32, 1), t2(64, 8), t2(64, 8)) },
        { GGML_BACKWARD_DECOMPOSE_REPEAT_BACK,
          ggml_repeat_back(ctx, ggml_new_tensor_3d(ctx, GGML_TYPE_F32, 64, 4, 2), ggml_new_tensor_3d(ctx, GGML_TYPE_F32, 64, 1, 2)) },
    };
    unsigned missing = 0;
    for (const Probe & p : probes) {
        if (!ggml_backend_dev_supports_op(dev, p.node)) missing |= p.bit;
    }
    ggml_free(ctx);
    return missing;
}

} // namespace

unsigned configure(const std::vector<ggml_tensor *> & params) {
    unsigned mask = 0;
    const long env = fromEnv();
    if (env >= 0) {
        mask = static_cast<unsigned>(env);
    } else {
        // every device that holds part of the adapter (some layers may stay on the CPU)
        std::vector<ggml_backend_dev_t> seen;
        for (const ggml_tensor * p : params) {
            if (!p->buffer) continue;
            ggml_backend_dev_t dev = ggml_backend_buft_get_device(ggml_backend_buffer_get_type(p->buffer));
            if (!dev || ggml_backend_dev_type(dev) == GGML_BACKEND_DEVICE_TYPE_CPU) continue;
            if (std::find(seen.begin(), seen.end(), dev) != seen.end()) continue;
            seen.push_back(dev);
            mask |= missingOn(dev);
        }
    }
    ggml_set_backward_decompose(mask);
    return mask;
}

std::vector<std::string> names(unsigned mask) {
    std::vector<std::string> out;
    for (const Op & op : ops) {
        if (mask & op.bit) out.emplace_back(op.name);
    }
    return out;
}

} // namespace BackwardOps
