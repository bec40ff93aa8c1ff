#pragma once

#include <napi.h>

#include "Errors.h"

// An AsyncWorker whose result settles a promise. Subclasses do the work in Run() on a libuv worker
// thread (throwing CodedError on failure) and build the JS value in Result() on the main thread.
class PromiseWorker : public Napi::AsyncWorker {
public:
    explicit PromiseWorker(Napi::Env env, const char * name)
        : Napi::AsyncWorker(env, name), deferred(Napi::Promise::Deferred::New(env)) {}

    Napi::Promise promise() { return deferred.Promise(); }

protected:
    virtual void Run() = 0;
    virtual Napi::Value Result(Napi::Env env) { return env.Undefined(); }
    // Runs on the main thread after Run() and Result(), success or not (release busy flags here).
    virtual void Finally() {}

    void Execute() override {
        try {
            Run();
        } catch (const CodedError & e) {
            code = e.code;
            SetError(e.what());
        } catch (const std::exception & e) {
            code = "TRAINING_FAILED";
            SetError(e.what());
        }
    }

    void OnOK() override {
        Napi::Env env = Env();
        Napi::Value value;
        try {
            value = Result(env);
        } catch (const Napi::Error & e) {
            Finally();
            deferred.Reject(e.Value());
            return;
        }
        Finally();
        deferred.Resolve(value);
    }

    void OnError(const Napi::Error & e) override {
        Finally();
        Napi::Error err = Napi::Error::New(Env(), e.Message());
        err.Set("code", Napi::String::New(Env(), code.empty() ? "TRAINING_FAILED" : code));
        deferred.Reject(err.Value());
    }

private:
    Napi::Promise::Deferred deferred;
    std::string code;
};
