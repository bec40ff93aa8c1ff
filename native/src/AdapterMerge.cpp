#include "AdapterMerge.h"

#include "Errors.h"
#include "PromiseWorker.h"
#include "ggml.h"
#include "gguf.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

struct MergeControl {
    std::atomic<int64_t> done{ 0 };
    std::atomic<int64_t> total{ 0 };
    std::atomic<bool> cancel{ false };
};

struct MergeSpec {
    std::string base, adapter, output, name;
    // Extra metadata for the merged file: strings, and unsigned integers (e.g. general.base_model.count).
    std::vector<std::pair<std::string, std::string>> strings;
    std::vector<std::pair<std::string, uint32_t>> numbers;
    float scale = 1.0f;
    int threads = 0;
    int delayMs = 0;
};

struct MergeResult {
    int64_t tensors = 0, merged = 0;
    uint64_t bytes = 0;
};

// A GGUF's header (gguf + a no-alloc ggml context naming its tensors), freed on scope exit.
struct GgufFile {
    gguf_context * gguf = nullptr;
    ggml_context * meta = nullptr;
    std::string path;

    explicit GgufFile(const std::string & p, const char * what) : path(p) {
        gguf_init_params params = { /*.no_alloc =*/ true, /*.ctx =*/ &meta };
        gguf = gguf_init_from_file(p.c_str(), params);
        if (!gguf) throw CodedError("INVALID_ARGUMENT", std::string("cannot read the ") + what + " as GGUF: " + p);
    }
    ~GgufFile() {
        if (gguf) gguf_free(gguf);
        if (meta) ggml_free(meta);
    }
    GgufFile(const GgufFile &) = delete;
    GgufFile & operator=(const GgufFile &) = delete;

    std::string str(const char * key) const {
        const int64_t id = gguf_find_key(gguf, key);
        return id >= 0 && gguf_get_kv_type(gguf, id) == GGUF_TYPE_STRING ? gguf_get_val_str(gguf, id) : "";
    }
    ggml_tensor * tensor(const std::string & name) const { return ggml_get_tensor(meta, name.c_str()); }

    // The bytes of tensor `name` as stored in the file.
    std::vector<uint8_t> read(std::ifstream & in, const std::string & name) const {
        const int64_t id = gguf_find_tensor(gguf, name.c_str());
        const size_t size = gguf_get_tensor_size(gguf, id);
        std::vector<uint8_t> data(size);
        in.seekg(static_cast<std::streamoff>(gguf_get_data_offset(gguf) + gguf_get_tensor_offset(gguf, id)));
        in.read(reinterpret_cast<char *>(data.data()), static_cast<std::streamsize>(size));
        if (!in) throw CodedError("IO", "cannot read tensor " + name + " of " + path + " (the file is cut short?)");
        return data;
    }
};

std::vector<float> toF32(const ggml_tensor * t, const std::vector<uint8_t> & data) {
    const int64_t n = ggml_nelements(t);
    std::vector<float> out(static_cast<size_t>(n));
    if (t->type == GGML_TYPE_F32) {
        std::memcpy(out.data(), data.data(), out.size() * sizeof(float));
        return out;
    }
    const auto * traits = ggml_get_type_traits(t->type);
    if (!traits->to_float) throw CodedError("UNSUPPORTED", std::string("cannot read tensors of type ") + ggml_type_name(t->type));
    traits->to_float(data.data(), out.data(), n);
    return out;
}

// Runs fn(begin, end) over [0, n) split across `threads` threads.
template <typename Fn> void parallelRows(int64_t n, int threads, Fn fn) {
    const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, n));
    std::vector<std::thread> pool;
    for (int64_t p = 1; p < parts; p++) pool.emplace_back([&, p] { fn(n * p / parts, n * (p + 1) / parts); });
    fn(0, n / parts);
    for (auto & t : pool) t.join();
}

class MergeWorker : public PromiseWorker {
public:
    MergeWorker(Napi::Env env, MergeSpec spec, std::shared_ptr<MergeControl> control)
        : PromiseWorker(env, "MergeAdapter"), spec(std::move(spec)), control(std::move(control)) {}

protected:
    void Run() override {
        namespace fs = std::filesystem;
        GgufFile base(spec.base, "base model");
        GgufFile adapter(spec.adapter, "adapter");
        if (gguf_find_key(base.gguf, "split.count") >= 0) {
            throw CodedError("UNSUPPORTED", "merging into a model split over several files is not supported yet");
        }
        if (adapter.str("general.type") != "adapter" || adapter.str("adapter.type") != "lora") {
            throw CodedError("INVALID_ARGUMENT", spec.adapter + " is not a LoRA adapter GGUF");
        }
        const std::string arch = base.str("general.architecture");
        if (adapter.str("general.architecture") != arch) {
            throw CodedError("INVALID_ARGUMENT", "the adapter is for " + adapter.str("general.architecture") + ", the base model is " + arch);
        }
        const int64_t alphaId = gguf_find_key(adapter.gguf, "adapter.lora.alpha");
        const float alpha = alphaId >= 0 ? gguf_get_val_f32(adapter.gguf, alphaId) : 0.0f;

        // Pairs: base tensor name → (lora_a, lora_b), each checked against the base's shape.
        struct Pair { ggml_tensor * a = nullptr; ggml_tensor * b = nullptr; };
        std::map<std::string, Pair> pairs;
        for (int64_t i = 0; i < gguf_get_n_tensors(adapter.gguf); i++) {
            const std::string name = gguf_get_tensor_name(adapter.gguf, i);
            const bool isA = name.size() > 7 && name.compare(name.size() - 7, 7, ".lora_a") == 0;
            const bool isB = name.size() > 7 && name.compare(name.size() - 7, 7, ".lora_b") == 0;
            if (!isA && !isB) continue;
            Pair & p = pairs[name.substr(0, name.size() - 7)];
            (isA ? p.a : p.b) = adapter.tensor(name);
        }
        if (pairs.empty()) throw CodedError("INVALID_ARGUMENT", spec.adapter + " has no LoRA tensors");
        for (const auto & [name, p] : pairs) {
            const ggml_tensor * w = base.tensor(name);
            if (!p.a || !p.b) throw CodedError("INVALID_ARGUMENT", "the adapter lacks lora_a or lora_b of " + name);
            if (!w) throw CodedError("INVALID_ARGUMENT", "the adapter changes " + name + ", which the base model does not have");
            if (ggml_n_dims(w) != 2 || p.a->ne[0] != w->ne[0] || p.b->ne[1] != w->ne[1] || p.a->ne[1] != p.b->ne[0]) {
                throw CodedError("INVALID_ARGUMENT", "the adapter does not fit " + name + " of the base model (another model's adapter?)");
            }
            if (w->type != GGML_TYPE_F32 && (ggml_quantize_requires_imatrix(w->type) || !ggml_get_type_traits(w->type)->to_float)) {
                throw CodedError("UNSUPPORTED", std::string("cannot merge into ") + name + " of type " + ggml_type_name(w->type) +
                                                    " (it needs an importance matrix to be quantized again)");
            }
        }

        // The output header: the base's metadata and tensors, in the same types and order.
        gguf_context * out = gguf_init_empty();
        std::unique_ptr<gguf_context, void (*)(gguf_context *)> outGuard(out, gguf_free);
        gguf_set_kv(out, base.gguf);
        gguf_remove_key(out, "general.alignment");
        if (!spec.name.empty()) gguf_set_val_str(out, "general.name", spec.name.c_str());
        for (const auto & [key, value] : spec.strings) gguf_set_val_str(out, key.c_str(), value.c_str());
        for (const auto & [key, value] : spec.numbers) gguf_set_val_u32(out, key.c_str(), value);
        const int64_t n = gguf_get_n_tensors(base.gguf);
        for (int64_t i = 0; i < n; i++) gguf_add_tensor(out, base.tensor(gguf_get_tensor_name(base.gguf, i)));
        control->total = n;

        std::ifstream baseIn(spec.base, std::ios::binary);
        std::ifstream adapterIn(spec.adapter, std::ios::binary);
        if (!baseIn || !adapterIn) throw CodedError("IO", "cannot open " + (baseIn ? spec.adapter : spec.base));
        std::random_device rd;
        const std::string tmp = spec.output + ".tmp-" + std::to_string(rd());
        struct Cleanup {
            std::string path;
            bool keep = false;
            ~Cleanup() {
                if (keep) return;
                std::error_code ec;
                std::filesystem::remove(path, ec);
            }
        } cleanup{ tmp };
        std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
        if (!file) throw CodedError("IO", "cannot write " + tmp);

        std::vector<uint8_t> meta(gguf_get_meta_size(out));
        gguf_get_meta_data(out, meta.data());
        file.write(reinterpret_cast<const char *>(meta.data()), static_cast<std::streamsize>(meta.size()));
        uint64_t written = meta.size();
        // The metadata section is written padded to the alignment: the tensor data starts right after it.
        const uint64_t dataOffset = meta.size();
        const int threads = spec.threads > 0 ? spec.threads : std::max(1u, std::thread::hardware_concurrency());
        const std::vector<char> zeros(gguf_get_alignment(out), 0);

        for (int64_t i = 0; i < n; i++) {
            if (spec.delayMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(spec.delayMs));
            if (control->cancel) throw CodedError("CANCELLED", "the merge was cancelled");
            const std::string name = gguf_get_tensor_name(out, i);
            const ggml_tensor * w = base.tensor(name);
            std::vector<uint8_t> data = base.read(baseIn, name);
            const auto pair = pairs.find(name);
            if (pair != pairs.end()) {
                const Pair & p = pair->second;
                const std::vector<float> a = toF32(p.a, adapter.read(adapterIn, ggml_get_name(p.a)));
                const std::vector<float> b = toF32(p.b, adapter.read(adapterIn, ggml_get_name(p.b)));
                std::vector<float> merged = toF32(w, data);
                const int64_t nIn = w->ne[0], nOut = w->ne[1], rank = p.a->ne[1];
                const float s = spec.scale * (alpha > 0.0f ? alpha / static_cast<float>(rank) : 1.0f);
                // W[o][i] += s · Σ_r B[o][r] · A[r][i]  (ggml order: A is [nIn, rank], B is [rank, nOut])
                parallelRows(nOut, threads, [&](int64_t from, int64_t to) {
                    for (int64_t o = from; o < to; o++) {
                        float * row = merged.data() + o * nIn;
                        for (int64_t r = 0; r < rank; r++) {
                            const float c = s * b[static_cast<size_t>(o * rank + r)];
                            const float * ar = a.data() + r * nIn;
                            for (int64_t k = 0; k < nIn; k++) row[k] += c * ar[k];
                        }
                    }
                });
                if (w->type == GGML_TYPE_F32) {
                    std::memcpy(data.data(), merged.data(), data.size());
                } else {
                    ggml_quantize_init(w->type);
                    const size_t rowBytes = ggml_row_size(w->type, nIn);
                    parallelRows(nOut, threads, [&](int64_t from, int64_t to) {
                        ggml_quantize_chunk(w->type, merged.data() + from * nIn, data.data() + from * rowBytes, 0, to - from, nIn, nullptr);
                    });
                }
                result.merged++;
            }
            const uint64_t at = dataOffset + gguf_get_tensor_offset(out, i);
            if (at < written) throw CodedError("IO", "internal error: tensor offsets overlap in " + tmp);
            file.write(zeros.data(), static_cast<std::streamsize>(at - written));
            file.write(reinterpret_cast<const char *>(data.data()), static_cast<std::streamsize>(data.size()));
            written = at + data.size();
            if (!file) throw CodedError("IO", "cannot write " + tmp + " (is the disk full?)");
            control->done = i + 1;
        }
        file.write(zeros.data(), static_cast<std::streamsize>((gguf_get_alignment(out) - written % gguf_get_alignment(out)) % gguf_get_alignment(out)));
        file.close();
        if (!file) throw CodedError("IO", "cannot write " + tmp + " (is the disk full?)");
        std::error_code ec;
        fs::rename(tmp, spec.output, ec);
        if (ec) throw CodedError("IO", "cannot rename " + tmp + " to " + spec.output + ": " + ec.message());
        cleanup.keep = true;
        result.tensors = n;
        result.bytes = fs::file_size(spec.output, ec);
    }

    Napi::Value Result(Napi::Env env) override {
        Napi::Object o = Napi::Object::New(env);
        o.Set("tensors", Napi::Number::New(env, static_cast<double>(result.tensors)));
        o.Set("merged", Napi::Number::New(env, static_cast<double>(result.merged)));
        o.Set("bytes", Napi::Number::New(env, static_cast<double>(result.bytes)));
        return o;
    }

private:
    MergeSpec spec;
    std::shared_ptr<MergeControl> control;
    MergeResult result;
};

std::string stringField(const Napi::Object & o, const char * key, bool required) {
    const Napi::Value v = o.Get(key);
    if (v.IsString()) return v.As<Napi::String>().Utf8Value();
    if (required) throw CodedError::js(o.Env(), "INVALID_ARGUMENT", std::string("mergeAdapter: ") + key + " must be a string");
    return "";
}

} // namespace

Napi::Value AdapterMerge::merge(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "mergeAdapter({base, adapter, output, scale?, threads?, name?, metadata?})");
    }
    const Napi::Object o = info[0].As<Napi::Object>();
    MergeSpec spec;
    spec.base = stringField(o, "base", true);
    spec.adapter = stringField(o, "adapter", true);
    spec.output = stringField(o, "output", true);
    spec.name = stringField(o, "name", false);
    if (o.Get("scale").IsNumber()) spec.scale = o.Get("scale").As<Napi::Number>().FloatValue();
    if (o.Get("threads").IsNumber()) spec.threads = o.Get("threads").As<Napi::Number>().Int32Value();
    if (o.Get("metadata").IsObject()) {
        const Napi::Object meta = o.Get("metadata").As<Napi::Object>();
        const Napi::Array keys = meta.GetPropertyNames();
        for (uint32_t i = 0; i < keys.Length(); i++) {
            const std::string key = keys.Get(i).As<Napi::String>().Utf8Value();
            const Napi::Value v = meta.Get(key);
            if (v.IsString()) spec.strings.emplace_back(key, v.As<Napi::String>().Utf8Value());
            else if (v.IsNumber() && v.As<Napi::Number>().DoubleValue() >= 0) spec.numbers.emplace_back(key, v.As<Napi::Number>().Uint32Value());
            else throw CodedError::js(env, "INVALID_ARGUMENT", "mergeAdapter: metadata values are strings or non-negative integers (" + key + ")");
        }
    }
    // LATHE_MERGE_TENSOR_DELAY_MS slows each tensor down, so tests can cancel a merge midway.
    const char * delay = std::getenv("LATHE_MERGE_TENSOR_DELAY_MS");
    spec.delayMs = delay ? std::atoi(delay) : 0;
    if (spec.output == spec.base || spec.output == spec.adapter) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "mergeAdapter: the output must be a new file, not an input");
    }

    auto control = std::make_shared<MergeControl>();
    auto * worker = new MergeWorker(env, std::move(spec), control);
    Napi::Object task = Napi::Object::New(env);
    task.Set("done", worker->promise());
    task.Set("progress", Napi::Function::New(env, [control](const Napi::CallbackInfo & i) {
        Napi::Object p = Napi::Object::New(i.Env());
        p.Set("done", Napi::Number::New(i.Env(), static_cast<double>(control->done.load())));
        p.Set("total", Napi::Number::New(i.Env(), static_cast<double>(control->total.load())));
        return p;
    }));
    task.Set("cancel", Napi::Function::New(env, [control](const Napi::CallbackInfo & i) {
        control->cancel = true;
        return i.Env().Undefined();
    }));
    worker->Queue();
    return task;
}
