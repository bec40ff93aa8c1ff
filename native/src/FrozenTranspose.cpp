#include "FrozenTranspose.h"

#include "ggml-alloc.h"
#include "ggml-backend.h"

#include <algorithm>
#include <cmath>
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
    bool byGraph = false;           // built by a ggml graph on the weight's backend (else on the host)
    double checkError = -1;         // LATHE_TRANSPOSE=check: relative L2 distance to the host's build
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

enum class Mode { Auto, Host, Graph, Check };

// LATHE_TRANSPOSE=host builds every transpose on the host, =graph every one with a ggml graph (on the
// CPU backend for weights in host memory), =check as graph and then compares each with the host
// code's (for tests and new backends); unset, a graph on the weight's own device when that is not
// host memory, the host code otherwise.
Mode mode() {
    const char * v = std::getenv("LATHE_TRANSPOSE");
    if (v && std::strcmp(v, "host") == 0) return Mode::Host;
    if (v && std::strcmp(v, "graph") == 0) return Mode::Graph;
    if (v && std::strcmp(v, "check") == 0) return Mode::Check;
    return Mode::Auto;
}

// A quantized weight is dequantized to F32 and transposed there before it is quantized again: two
// F32 copies of it on the device for a moment. Larger weights (a big vocabulary's output head) are
// built on the host instead of competing with the run for device memory.
constexpr size_t graphTempLimit = size_t{ 1 } << 30;

// One backend per device for these graphs, kept while any model is enabled (under `mutex`).
std::unordered_map<ggml_backend_dev_t, ggml_backend_t> backends;

ggml_backend_t backendFor(ggml_backend_buffer_type_t buft) {
    ggml_backend_dev_t dev = ggml_backend_buft_is_host(buft) ? ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU)
                                                             : ggml_backend_buft_get_device(buft);
    if (!dev) return nullptr;
    auto it = backends.find(dev);
    if (it != backends.end()) return it->second;
    ggml_backend_t backend = ggml_backend_dev_init(dev, nullptr);
    if (backend && ggml_backend_dev_type(dev) == GGML_BACKEND_DEVICE_TYPE_CPU) {
        auto setThreads = reinterpret_cast<ggml_backend_set_n_threads_t>(
            ggml_backend_reg_get_proc_address(ggml_backend_dev_backend_reg(dev), "ggml_backend_set_n_threads"));
        if (setThreads) setThreads(backend, std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
    }
    backends.emplace(dev, backend);
    return backend;
}

void freeBackends() {
    for (auto & [dev, backend] : backends) {
        if (backend) ggml_backend_free(backend);
    }
    backends.clear();
}

// Wᵀ into `out` with one small ggml graph on the backend of W's buffer: the weight never leaves the
// device. Float weights are one strided copy; quantized ones are dequantized (GET_ROWS of every
// row, which every GPU backend implements for every quantization), transposed in F32 and quantized
// into `out` by the copy. False when the backend lacks one of these ops or the memory for them;
// the caller then builds it on the host.
bool transposeWithGraph(const ggml_tensor * w, ggml_tensor * out) {
    ggml_backend_buffer_type_t buft = ggml_backend_buffer_get_type(w->buffer);
    const int64_t n = w->ne[0], m = w->ne[1];
    const bool copyOnly = w->type == out->type && (w->type == GGML_TYPE_F32 || w->type == GGML_TYPE_F16 || w->type == GGML_TYPE_BF16);
    if (!copyOnly && 2 * static_cast<size_t>(n) * m * sizeof(float) > graphTempLimit) return false;
    ggml_backend_t backend = backendFor(buft);
    if (!backend) return false;

    constexpr size_t graphSize = 16;
    ggml_init_params ip = { ggml_tensor_overhead() * graphSize + ggml_graph_overhead_custom(graphSize, false), nullptr, true };
    ggml_context * ctx = ggml_init(ip);
    if (!ctx) return false;
    ggml_tensor * src = const_cast<ggml_tensor *>(w);
    ggml_tensor * ids = nullptr;
    ggml_tensor * last = nullptr;
    if (copyOnly) {
        last = ggml_cpy(ctx, ggml_transpose(ctx, src), out);
    } else {
        ids = ggml_new_tensor_1d(ctx, GGML_TYPE_I32, m);
        ggml_set_input(ids);
        ggml_tensor * rows = ggml_get_rows(ctx, src, ids);                  // F32 [n, m]
        ggml_tensor * flipped = ggml_cont(ctx, ggml_transpose(ctx, rows));  // F32 [m, n]
        last = ggml_cpy(ctx, flipped, out);
    }
    ggml_cgraph * graph = ggml_new_graph_custom(ctx, graphSize, false);
    ggml_build_forward_expand(graph, last);
    bool ok = true;
    for (int i = 0; ok && i < ggml_graph_n_nodes(graph); i++) {
        ggml_tensor * node = ggml_graph_node(graph, i);
        if (node->op != GGML_OP_TRANSPOSE && node->op != GGML_OP_VIEW) ok = ggml_backend_supports_op(backend, node);
    }
    ggml_gallocr_t galloc = ok ? ggml_gallocr_new(buft) : nullptr;
    ok = ok && galloc && ggml_gallocr_alloc_graph(galloc, graph);
    if (ok && ids) {
        std::vector<int32_t> all(static_cast<size_t>(m));
        for (int64_t i = 0; i < m; i++) all[i] = static_cast<int32_t>(i);
        ggml_backend_tensor_set(ids, all.data(), 0, ggml_nbytes(ids));
    }
    ok = ok && ggml_backend_graph_compute(backend, graph) == GGML_STATUS_SUCCESS;
    if (galloc) ggml_gallocr_free(galloc);
    ggml_free(ctx);
    return ok;
}

// Wᵀ in `type` on the host: the weight is read back through its backend, dequantized, transposed
// and converted with every core: bands of rows are dequantized into a small buffer and written out
// as contiguous runs of Wᵀ (a 1B model's weights took 15 s on one core with a column-at-a-time
// transpose). The arithmetic is per row, so the result does not depend on the thread count.
std::vector<uint8_t> transposeOnHost(const ggml_tensor * w, ggml_type type) {
    const ggml_type_traits * traits = ggml_get_type_traits(w->type);
    const int64_t n = w->ne[0]; // inputs  (row length of W)
    const int64_t m = w->ne[1]; // outputs (row length of Wᵀ)

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
    return out;
}

// Relative L2 distance between two transposes of `type` (dequantized).
double relativeError(ggml_type type, const std::vector<uint8_t> & a, const std::vector<uint8_t> & b, int64_t count) {
    std::vector<float> fa(static_cast<size_t>(count)), fb(static_cast<size_t>(count));
    const ggml_type_traits * traits = ggml_get_type_traits(type);
    if (type == GGML_TYPE_F32) {
        std::memcpy(fa.data(), a.data(), count * sizeof(float));
        std::memcpy(fb.data(), b.data(), count * sizeof(float));
    } else {
        traits->to_float(a.data(), fa.data(), count);
        traits->to_float(b.data(), fb.data(), count);
    }
    double diff = 0, norm = 0;
    for (int64_t i = 0; i < count; i++) {
        diff += (static_cast<double>(fa[i]) - fb[i]) * (static_cast<double>(fa[i]) - fb[i]);
        norm += static_cast<double>(fb[i]) * fb[i];
    }
    return norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

// Builds Wᵀ ([ne1, ne0]) in a buffer of W's buffer type, once per weight, on the thread that builds
// the first backward graph: with a graph on W's device when it is a GPU (1B model: ~4 s of read-back,
// host transpose and upload before), else on the host.
Entry makeTranspose(const ggml_tensor * w) {
    Entry e;
    const ggml_type_traits * traits = ggml_get_type_traits(w->type);
    if (!w->buffer || !ggml_is_contiguous(w) || (w->type != GGML_TYPE_F32 && !traits->to_float)) return e;
    const int64_t n = w->ne[0];
    const int64_t m = w->ne[1];
    const ggml_type type = transposeType(w->type, m);

    ggml_init_params ip = { ggml_tensor_overhead(), nullptr, true };
    e.ctx = ggml_init(ip);
    e.tensor = ggml_new_tensor_2d(e.ctx, type, m, n);
    ggml_format_name(e.tensor, "%.40s.T", w->name);
    ggml_backend_buffer_type_t buft = ggml_backend_buffer_get_type(w->buffer);
    e.buffer = ggml_backend_alloc_ctx_tensors_from_buft(e.ctx, buft);
    if (!e.buffer) {
        ggml_free(e.ctx);
        return Entry{};
    }
    // Weights, like their source: the scheduler runs each product on the backend that holds them.
    ggml_backend_buffer_set_usage(e.buffer, GGML_BACKEND_BUFFER_USAGE_WEIGHTS);
    const Mode md = mode();
    const bool graph = md != Mode::Host && (md != Mode::Auto || !ggml_backend_buft_is_host(buft));
    e.byGraph = graph && transposeWithGraph(w, e.tensor);
    if (!e.byGraph) {
        const std::vector<uint8_t> out = transposeOnHost(w, type);
        ggml_backend_tensor_set(e.tensor, out.data(), 0, out.size());
    } else if (md == Mode::Check) {
        std::vector<uint8_t> built(ggml_nbytes(e.tensor));
        ggml_backend_tensor_get(e.tensor, built.data(), 0, built.size());
        e.checkError = relativeError(type, built, transposeOnHost(w, type), ggml_nelements(e.tensor));
    }
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
    if (eligible.empty()) {
        ggml_set_backward_transpose_hook(nullptr, nullptr);
        freeBackends();
    }
}

Stats stats() {
    std::lock_guard<std::mutex> lock(mutex);
    Stats out;
    for (const auto & [w, e] : made) {
        if (!e.tensor) continue;
        out.count++;
        out.bytes += ggml_nbytes(e.tensor);
        out.byGraph += e.byGraph ? 1 : 0;
        out.worstCheckError = std::max(out.worstCheckError, e.checkError);
    }
    return out;
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

} // namespace FrozenTranspose
