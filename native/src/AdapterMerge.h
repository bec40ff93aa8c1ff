#pragma once

#include <napi.h>

// mergeAdapter({base, adapter, output, scale?, threads?, name?, metadata?}): {done: Promise<{tensors, merged,
// bytes}>, progress(): {done, total}, cancel()} — writes a standalone GGUF of the base model with a
// LoRA adapter folded into its weights (W + scale · alpha/rank · B·A), each weight kept in its own
// type (dequantized, merged in F32, quantized again), every other tensor and all metadata copied.
// Written to a temporary file next to `output` and renamed over it at the end; cancel() stops
// between tensors (CANCELLED) and leaves nothing behind.
class AdapterMerge {
public:
    static Napi::Value merge(const Napi::CallbackInfo & info);
};
