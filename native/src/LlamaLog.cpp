#include "LlamaLog.h"

#include <cstdio>

#include "ggml.h"
#include "llama.h"

std::mutex LlamaLog::mutex;
std::string LlamaLog::errors;
bool LlamaLog::verbose = false;

void LlamaLog::install() {
    llama_log_set(&LlamaLog::callback, nullptr);
}

void LlamaLog::setVerbose(bool value) {
    std::lock_guard<std::mutex> lock(mutex);
    verbose = value;
}

std::string LlamaLog::takeErrors() {
    std::lock_guard<std::mutex> lock(mutex);
    std::string out;
    out.swap(errors);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
        out.pop_back();
    }
    return out;
}

void LlamaLog::callback(ggml_log_level level, const char * text, void *) {
    std::lock_guard<std::mutex> lock(mutex);
    if (level == GGML_LOG_LEVEL_ERROR) {
        // Keep the tail only: a long failure cascade is summarized by its last lines.
        errors += text;
        if (errors.size() > 4000) {
            errors.erase(0, errors.size() - 4000);
        }
    }
    if (verbose || level == GGML_LOG_LEVEL_ERROR) {
        fputs(text, stderr);
    }
}
