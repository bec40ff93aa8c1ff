#pragma once

#include <napi.h>

// quantizeModel(input, output, type, threads?): Promise<void> — llama.cpp's own quantizer, so base
// models of any type (Q8_0, Q4_0, K-quants, ...) can be produced from an F32/F16 GGUF.
class ModelQuantizer {
public:
    static Napi::Value quantize(const Napi::CallbackInfo & info);
};
