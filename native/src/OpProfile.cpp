#include "OpProfile.h"

#include "ggml.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace {

// "blk.12.attn_q.weight" → "blk.#.attn_q.weight": one entry per kind of node, not per layer
std::string pattern(const char * name) {
    std::string out;
    for (const char * c = name; *c; ++c) {
        if (std::isdigit(static_cast<unsigned char>(*c))) {
            if (out.empty() || out.back() != '#') out.push_back('#');
        } else {
            out.push_back(*c);
        }
    }
    return out;
}

} // namespace

void OpProfile::beginWindow() {
    windowStart = Clock::now();
    firstNode = true;
    backward = false;
    windows++;
}

bool OpProfile::callback(ggml_tensor * t, bool ask, void * user_data) {
    auto * p = static_cast<OpProfile *>(user_data);
    if (ask) {
        if (p->firstNode) {
            // graph building, allocation and the inputs, up to the first node
            p->firstNode = false;
            p->last = Clock::now();
            p->hostMs += std::chrono::duration<double, std::milli>(p->last - p->windowStart).count();
        }
        return true; // every node on its own, so that each can be timed
    }
    p->node(t);
    return true;
}

void OpProfile::node(ggml_tensor * t) {
    const Clock::time_point now = Clock::now();
    const double ms = std::chrono::duration<double, std::milli>(now - last).count();
    last = now;
    // the accuracy (ARGMAX, COUNT_EQUAL) comes after the loss but belongs to the forward half
    const bool back = backward && t->op != GGML_OP_ARGMAX && t->op != GGML_OP_COUNT_EQUAL;
    const ggml_tensor * src0 = t->src[0];
    Key key{ ggml_op_desc(t), src0 ? ggml_type_name(src0->type) : "", pattern(t->name), src0 ? pattern(src0->name) : "", back };
    Entry & e = entries[key];
    e.count++;
    e.ms += ms;
    (back ? backwardMs : forwardMs) += ms;
    // the loss ends the forward half: what follows is its gradient
    if (t->op == GGML_OP_CROSS_ENTROPY_LOSS) backward = true;
}

Napi::Value OpProfile::take(Napi::Env env) {
    std::vector<std::pair<Key, Entry>> sorted(entries.begin(), entries.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto & a, const auto & b) { return a.second.ms > b.second.ms; });
    Napi::Object out = Napi::Object::New(env);
    out.Set("windows", static_cast<double>(windows));
    out.Set("hostMs", hostMs);
    out.Set("forwardMs", forwardMs);
    out.Set("backwardMs", backwardMs);
    Napi::Array ops = Napi::Array::New(env, sorted.size());
    uint32_t i = 0;
    for (const auto & [key, e] : sorted) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("op", std::get<0>(key));
        o.Set("src0Type", std::get<1>(key));
        o.Set("name", std::get<2>(key));
        o.Set("src0", std::get<3>(key));
        o.Set("phase", std::get<4>(key) ? "backward" : "forward");
        o.Set("count", static_cast<double>(e.count));
        o.Set("ms", e.ms);
        ops.Set(i++, o);
    }
    out.Set("ops", ops);
    entries.clear();
    windows = 0;
    hostMs = forwardMs = backwardMs = 0;
    return out;
}
