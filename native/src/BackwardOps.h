#pragma once

#include "ggml.h"

#include <string>
#include <vector>

// Which backward ops the training graph builds from simpler ones (ggml_set_backward_decompose, from
// patches/0012): those the device holding the adapter has no kernel for, when the ops that replace
// them are ones it has. Metal, for one, lacks OUT_PROD, RMS_NORM_BACK, SOFT_MAX_BACK,
// CROSS_ENTROPY_LOSS_BACK and REPEAT_BACK, which would otherwise run on the CPU every step. CUDA,
// Vulkan and the CPU have them all: nothing changes there.
//
// LATHE_DECOMPOSE=all|none|<names, comma-separated> overrides the choice (tests, comparisons); the
// names are those of names() below: out_prod, rms_norm_back, soft_max_back, cross_entropy_loss_back,
// repeat_back.
namespace BackwardOps {

// Chooses the mask for these trainable tensors' device and sets it (process-wide, as ggml's is).
unsigned configure(const std::vector<ggml_tensor *> & params);

// The ops in a mask, by name.
std::vector<std::string> names(unsigned mask);

} // namespace BackwardOps
