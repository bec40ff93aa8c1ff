#include "GgufOut.h"

#include "Errors.h"
#include "ggml.h"
#include "gguf.h"

#include <cstdio>
#include <filesystem>
#include <random>

GgufOut::GgufOut(size_t maxTensors) {
    gguf = gguf_init_empty();
    ggml_init_params params = { /*.mem_size =*/ (maxTensors + 1) * ggml_tensor_overhead(), /*.mem_buffer =*/ nullptr, /*.no_alloc =*/ true };
    meta = ggml_init(params);
}

GgufOut::~GgufOut() {
    gguf_free(gguf);
    ggml_free(meta);
}

void GgufOut::setStr(const char * key, const std::string & value) { gguf_set_val_str(gguf, key, value.c_str()); }
void GgufOut::setF32(const char * key, float value) { gguf_set_val_f32(gguf, key, value); }
void GgufOut::setU32(const char * key, uint32_t value) { gguf_set_val_u32(gguf, key, value); }
void GgufOut::setU64(const char * key, uint64_t value) { gguf_set_val_u64(gguf, key, value); }

void GgufOut::addTensor(const std::string & name, int64_t ne0, int64_t ne1, const float * data) {
    if (name.size() >= GGML_MAX_NAME) {
        throw CodedError("INVALID_ARGUMENT", "tensor name too long for GGUF: " + name);
    }
    ggml_tensor * t = ggml_new_tensor_2d(meta, GGML_TYPE_F32, ne0, ne1);
    ggml_set_name(t, name.c_str());
    gguf_add_tensor(gguf, t);
    gguf_set_tensor_data(gguf, name.c_str(), data);
}

void GgufOut::write(const std::string & path) {
    namespace fs = std::filesystem;
    std::random_device rd;
    const std::string tmp = path + ".tmp-" + std::to_string(rd());
    if (!gguf_write_to_file(gguf, tmp.c_str(), false)) {
        std::error_code ec;
        fs::remove(tmp, ec);
        throw CodedError("IO", "cannot write " + tmp);
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw CodedError("IO", "cannot rename " + tmp + " to " + path + ": " + ec.message());
    }
}
