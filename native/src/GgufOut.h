#pragma once

#include <cstdint>
#include <string>

struct gguf_context;
struct ggml_context;

// Builds a GGUF file of F32 tensors and metadata, and writes it atomically: to a temporary file
// next to the target, then renamed over it, so a crash never leaves a half-written adapter.
class GgufOut {
public:
    explicit GgufOut(size_t maxTensors);
    ~GgufOut();
    GgufOut(const GgufOut &) = delete;
    GgufOut & operator=(const GgufOut &) = delete;

    void setStr(const char * key, const std::string & value);
    void setF32(const char * key, float value);
    void setU32(const char * key, uint32_t value);
    void setU64(const char * key, uint64_t value);
    // `data` is not copied: it must stay valid until write() returns. ne in ggml order.
    void addTensor(const std::string & name, int64_t ne0, int64_t ne1, const float * data);
    // Throws CodedError("IO") on failure.
    void write(const std::string & path);

private:
    gguf_context * gguf = nullptr;
    ggml_context * meta = nullptr;
};
