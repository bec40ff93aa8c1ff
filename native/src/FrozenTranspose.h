#pragma once

#include "ggml.h"
#include "ggml-backend.h"
#include "llama.h"

#include <map>

// Precomputed transposes of a model's frozen weights, handed to ggml's backward pass (the hook
// ggml_set_backward_transpose_hook from patches/0003) so that the gradient through a frozen weight
// W is one MUL_MAT with Wᵀ instead of OUT_PROD(W, gradᵀ). OUT_PROD dequantizes rows of W over and
// over and has no tuned kernels (on CPU it was ~60% of a Q8_0 training step); MUL_MAT has the
// best kernels of every backend, for every weight type, and the transpose never changes.
//
// On a GPU each transpose is built there, by a small ggml graph (LATHE_TRANSPOSE=host|graph|check forces
// the host code or the graph everywhere, or checks the graph against the host code).
//
// Each transpose lives in a buffer of the same type as its weight (so the scheduler runs the
// product where the weight is) and keeps the weight's precision: F32, F16, BF16 and Q8_0 keep
// their type (exact transposes); other quantizations become Q8_0 (or F16 when the row length is
// not a multiple of 32) — finer than the source grid, so the gradient stays close to the one of
// the dequantized weight. Memory: one extra copy of the targeted weights at that precision.
//
// Process-wide, as ggml's hook is: enabled per model by each training session, released with the
// model. `LATHE_BACKWARD=outprod` in the environment keeps upstream's OUT_PROD (for comparisons).
namespace FrozenTranspose {

// Marks the model's 2-D weights as eligible and installs the hook. Thread-safe; idempotent.
void enable(const llama_model * model);

// Frees the transposes made for this model's weights and forgets them. Call before freeing it.
void release(const llama_model * model);

// The transposes currently held (for diagnostics and tests): how many, their bytes, how many a ggml
// graph built on their weight's backend (the rest the host did), and under LATHE_TRANSPOSE=check the
// largest relative L2 distance between a graph-built one and the host code's (-1: none checked).
struct Stats {
    size_t count = 0;
    size_t bytes = 0;
    size_t byGraph = 0;
    double worstCheckError = -1;
};
Stats stats();

// Bytes of the transposes made for this model's weights, per buffer type (for memory reports).
std::map<ggml_backend_buffer_type_t, size_t> bytesByBufferType(const llama_model * model);

} // namespace FrozenTranspose
