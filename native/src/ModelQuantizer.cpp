#include "ModelQuantizer.h"

#include "Errors.h"
#include "LlamaLog.h"
#include "PromiseWorker.h"
#include "llama.h"

#include <map>
#include <string>

namespace {

const std::map<std::string, llama_ftype> kTypes = {
    { "F32", LLAMA_FTYPE_ALL_F32 },      { "F16", LLAMA_FTYPE_MOSTLY_F16 },     { "BF16", LLAMA_FTYPE_MOSTLY_BF16 },
    { "Q8_0", LLAMA_FTYPE_MOSTLY_Q8_0 }, { "Q4_0", LLAMA_FTYPE_MOSTLY_Q4_0 },   { "Q4_1", LLAMA_FTYPE_MOSTLY_Q4_1 },
    { "Q5_0", LLAMA_FTYPE_MOSTLY_Q5_0 }, { "Q5_1", LLAMA_FTYPE_MOSTLY_Q5_1 },   { "Q2_K", LLAMA_FTYPE_MOSTLY_Q2_K },
    { "Q3_K_M", LLAMA_FTYPE_MOSTLY_Q3_K_M }, { "Q4_K_S", LLAMA_FTYPE_MOSTLY_Q4_K_S }, { "Q4_K_M", LLAMA_FTYPE_MOSTLY_Q4_K_M },
    { "Q5_K_M", LLAMA_FTYPE_MOSTLY_Q5_K_M }, { "Q6_K", LLAMA_FTYPE_MOSTLY_Q6_K },
};

class QuantizeWorker : public PromiseWorker {
public:
    QuantizeWorker(Napi::Env env, std::string in, std::string out, llama_ftype type, int32_t threads)
        : PromiseWorker(env, "QuantizeModel"), in(std::move(in)), out(std::move(out)), type(type), threads(threads) {}

protected:
    void Run() override {
        llama_model_quantize_params p = llama_model_quantize_default_params();
        p.ftype = type;
        p.nthread = threads;
        LlamaLog::takeErrors();
        if (llama_model_quantize(in.c_str(), out.c_str(), &p) != 0) {
            throw CodedError("IO", "cannot quantize " + in + ": " + LlamaLog::takeErrors());
        }
    }

private:
    std::string in, out;
    llama_ftype type;
    int32_t threads;
};

} // namespace

Napi::Value ModelQuantizer::quantize(const Napi::CallbackInfo & info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsString()) {
        throw CodedError::js(env, "INVALID_ARGUMENT", "quantizeModel(input, output, type, threads?)");
    }
    const std::string type = info[2].As<Napi::String>().Utf8Value();
    const auto it = kTypes.find(type);
    if (it == kTypes.end()) throw CodedError::js(env, "INVALID_ARGUMENT", "unsupported quantization type " + type);
    const int32_t threads = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : 0;
    auto * worker = new QuantizeWorker(env, info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value(), it->second, threads);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
}
