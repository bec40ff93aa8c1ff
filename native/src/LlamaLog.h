#pragma once

#include <mutex>
#include <string>

#include "ggml.h"

// Routes llama.cpp/ggml logging: quiet by default, and remembers the most recent error lines so a
// failure ("failed to load model") can be reported with its cause instead of only on stderr.
class LlamaLog {
public:
    static void install();
    static void setVerbose(bool verbose);
    // The error/warning text logged since the last call (and clears it).
    static std::string takeErrors();

private:
    static void callback(ggml_log_level level, const char * text, void * userdata);
    static std::mutex mutex;
    static std::string errors;
    static bool verbose;
};
