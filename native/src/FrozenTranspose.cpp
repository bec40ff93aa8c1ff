#include "FrozenTranspose.h"

#include "ggml-backend.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

// Declared in llama.cpp's internal src/llama-model.h; defined (with external linkage) in the
// static llama library this addon links. The list of every weight tensor of a loaded model.
const std::vector<std::pair<std::string, ggml_tensor *>> & llama_internal_get_tensor_map(const llama_model * model);

namespace FrozenTranspose {
namespace {

struct Entry {
    ggml_context * ctx = nullptr;
    ggml_backend_buffer_t buffer = nullptr;
    ggml_tensor * tensor = nullptr; // null: this weight cannot be transposed; OUT_PROD stays
};

std::mutex mutex;
std::unordered_map<const ggml_tensor *, const llama_model *> eligible;
std::unordered_map<const ggml_tensor *, Entry> made;

bool disabledByEnv() {
    const char * v = std::getenv("LATHE_BACKWARD");
    return v && std::strcmp(v, "outprod") == 0;
}

ggml_type transposeType(ggml_type source, int64_t rowLength) {
    switch (source) {
        case GGML_TYPE_F32:
        case GGML_TYPE_F16:
        case GGML_TYPE_BF16:
            return source;
        default:
            return rowLength % ggml_blck_size(GGML_TYPE_Q8_0) == 0 ? GGML_TYPE_Q8_0 : GGML_TYPE_F16;
    }
}

// Runs fn(begin, end) over [0, count) split into contiguous parts, one per worker thread.
template <typename Fn> void parallelFor(int64_t count, Fn fn) {
    const int64_t workers =
        std::max<int64_t>(1, std::min<int64_t>({ static_cast<int64_t>(std::thread::hardware_concurrency()), 16, count }));
    if (workers == 1) {
        fn(int64_t{ 0 }, count);
        return;
    }
    std::vector<std::thread> pool;
    pool.reserve(workers);
    for (int64_t w = 0; w < workers; w++) {
        const int64_t begin = count * w / workers, end = count * (w + 1) / workers;
        pool.emplace_back([=] { fn(begin, end); });
    }
    for (auto & t : pool) t.join();
}

// Builds Wᵀ ([ne1, ne0]) in a buffer of W's buffer type. Runs once per weight, on the thread that
// builds the first backward graph; the weights are read back through the backend (they may be on
// a GPU), dequantized, transposed and converted on the host with every core: bands of rows are
// dequantized into a small buffer and written out as contiguous runs of Wᵀ (a 1B model's
// weights took 15 s on one core with a column-at-a-time transpose, most of its first step).
// The arithmetic is per row, as before, so the result does not depend on the thread count.
Entry makeTranspose(const ggml_tensor * w) {
    Entry e;
    const ggml_type_traits * traits = ggml_get_type_traits(w->type);
    if (!w->buffer || !ggml_is_contiguous(w) || (w->type != GGML_TYPE_F32 && !traits->to_float)) return e;
    const int64_t n = w->ne[0]; // inputs  (row length of W)
    const int64_t m = w->ne[1]; // outputs (row length of Wᵀ)
    const ggml_type type = transposeType(w->type, m);

    std::vector<uint8_t> raw(ggml_nbytes(w));
    ggml_backend_tensor_get(w, raw.data(), 0, raw.size());
    std::vector<float> t(static_cast<size_t>(n) * m);
    constexpr int64_t band = 32; // rows of W per tile: Wᵀ gets runs of 32 floats (two cache lines)
    const int64_t nBands = (m + band - 1) / band;
    parallelFor(nBands, [&](int64_t first, int64_t last) {
        std::vector<float> rows(static_cast<size_t>(band) * n);
        for (int64_t b = first; b < last; b++) {
            const int64_t r0 = b * band, r1 = std::min(m, r0 + band);
            for (int64_t r = r0; r < r1; r++) {
                const uint8_t * src = raw.data() + r * w->nb[1];
                float * dst = rows.data() + (r - r0) * n;
                if (w->type == GGML_TYPE_F32) std::memcpy(dst, src, n * sizeof(float));
                else traits->to_float(src, dst, n);
            }
            for (int64_t c = 0; c < n; c++) {
                float * out = t.data() + static_cast<size_t>(c) * m + r0;
                for (int64_t r = r0; r < r1; r++) out[r - r0] = rows[(r - r0) * n + c];
            }
        }
    });
    raw.clear();
    raw.shrink_to_fit();

    // n rows of length m, converted in parallel bands of rows (quantization is per row)
    const size_t outRow = ggml_row_size(type, m);
    std::vector<uint8_t> out(outRow * n);
    parallelFor(n, [&](int64_t first, int64_t last) {
        const float * src = t.data() + static_cast<size_t>(first) * m;
        uint8_t * dst = out.data() + first * outRow;
        const int64_t count = (last - first) * m;
        switch (type) {
            case GGML_TYPE_F32:
                std::memcpy(dst, src, count * sizeof(float));
                break;
            case GGML_TYPE_F16:
                ggml_fp32_to_fp16_row(src, reinterpret_cast<ggml_fp16_t *>(dst), count);
                break;
            case GGML_TYPE_BF16:
                ggml_fp32_to_bf16_row(src, reinterpret_cast<ggml_bf16_t *>(dst), count);
                break;
            default:
                ggml_quantize_chunk(type, t.data(), out.data(), first * m, last - first, m, nullptr);
                break;
        }
    });

    ggml_init_params ip = { ggml_tensor_overhead(), nullptr, true };
    e.ctx = ggml_init(ip);
    e.tensor = ggml_new_tensor_2d(e.ctx, type, m, n);
    ggml_format_name(e.tensor, "%.40s.T", w->name);
    e.buffer = ggml_backend_alloc_ctx_tensors_from_buft(e.ctx, ggml_backend_buffer_get_type(w->buffer));
    if (!e.buffer) {
        ggml_free(e.ctx);
        return Entry{};
    }
    // Weights, like their source: the scheduler runs each product on the backend that holds them.
    ggml_backend_buffer_set_usage(e.buffer, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);
    ggml_backend_tensor_set(e.tensor, out.data(), 0, out.size());
    return e;
}

ggml_tensor * hook(const ggml_tensor * src0, void *) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = made.find(src0);
    if (it != made.end()) return it->second.tensor;
    // Only frozen weights of an enabled model: trainable tensors (the adapter) change every step.
    if (!eligible.count(src0) || (src0->flags & GGML_TENSOR_FLAG_PARAM)) return nullptr;
    Entry e = makeTranspose(src0);
    made.emplace(src0, e);
    return e.tensor;
}

} // namespace

void enable(const llama_model * model) {
    if (disabledByEnv()) {
        ggml_set_backward_transpose_hook(nullptr, nullptr);
        return;
    }
    std::lock_guard<std::mutex> lock(mutex);
    for (const auto & [name, tensor] : llama_internal_get_tensor_map(model)) {
        if (ggml_n_dims(tensor) == 2 && tensor->ne[1] > 1) eligible.emplace(tensor, model);
    }
    ggml_set_backward_transpose_hook(hook, nullptr);
}

void release(const llama_model * model) {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto it = eligible.begin(); it != eligible.end();) {
        if (it->second != model) {
            ++it;
            continue;
        }
        auto m = made.find(it->first);
        if (m != made.end()) {
            if (m->second.buffer) ggml_backend_buffer_free(m->second.buffer);
            if (m->second.ctx) ggml_free(m->second.ctx);
            made.erase(m);
        }
        it = eligible.erase(it);
    }
    if (eligible.empty()) ggml_set_backward_transpose_hook(nullptr, nullptr);
}

size_t count() {
    std::lock_guard<std::mutex> lock(mutex);
    size_t n = 0;
    for (const auto & [w, e] : made) n += e.tensor ? 1 : 0;
    return n;
}

std::map<ggml_backend_buffer_type_t, size_t> bytesByBufferType(const llama_model * model) {
    std::lock_guard<std::mutex> lock(mutex);
    std::map<ggml_backend_buffer_type_t, size_t> out;
    for (const auto & [w, e] : made) {
        const auto owner = eligible.find(w);
        if (!e.tensor || !e.buffer || owner == eligible.end() || owner->second != model) continue;
        out[ggml_backend_buffer_get_type(e.buffer)] += ggml_nbytes(e.tensor);
    }
    return out;
}

size_t bytes() {
    std::lock_guard<std::mutex> lock(mutex);
    size_t n = 0;
    for (const auto & [w, e] : made) n += e.tensor ? ggml_nbytes(e.tensor) : 0;
    return n;
}

} // namespace FrozenTranspose
