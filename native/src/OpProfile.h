#pragma once

#include <napi.h>

#include <chrono>
#include <map>
#include <string>
#include <tuple>

struct ggml_tensor;

// Where a training window's time goes, node by node: installed as the llama context's eval
// callback (cb_eval), it makes the scheduler run every node of the training graph on its own and
// wait for it, and adds each node's wall time to its kind: its op, the type and name of its first
// source, its own name (names with the layer numbers as '#'), and whether it is in the forward or
// backward half. Waiting
// after every node slows the window (kernel launches no longer overlap, the CPU backend fuses
// nothing), so the totals are a breakdown, not a speed: read the shares.
class OpProfile {
public:
    // Called on the training thread right before a window's llama_opt_window_eval.
    void beginWindow();
    // ggml_backend_sched_eval_callback
    static bool callback(ggml_tensor * t, bool ask, void * user_data);
    // {windows, hostMs, forwardMs, backwardMs, ops: [{op, src0Type, src0, name, phase, count, ms}]}, the
    // ops by time, most first; then starts over.
    Napi::Value take(Napi::Env env);

private:
    using Clock = std::chrono::steady_clock;
    struct Entry {
        int64_t count = 0;
        double ms = 0;
    };
    // op, src0 type, name pattern, src0 name pattern, backward
    using Key = std::tuple<std::string, std::string, std::string, std::string, bool>;

    void node(ggml_tensor * t);

    std::map<Key, Entry> entries;
    Clock::time_point windowStart, last;
    bool firstNode = false;
    bool backward = false;
    int64_t windows = 0;
    double hostMs = 0, forwardMs = 0, backwardMs = 0;
};
