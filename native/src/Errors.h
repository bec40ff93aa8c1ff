#pragma once

#include <napi.h>

#include <stdexcept>
#include <string>

// Errors reach JS as `Error` objects with a `code` the TypeScript side can switch on:
// INVALID_ARGUMENT, DISPOSED, BUSY, ABORTED, LOAD_FAILED, IO, TRAINING_FAILED.
class CodedError : public std::runtime_error {
public:
    CodedError(std::string code, const std::string & message) : std::runtime_error(message), code(std::move(code)) {}
    const std::string code;

    Napi::Error toJs(Napi::Env env) const {
        Napi::Error err = Napi::Error::New(env, what());
        err.Set("code", Napi::String::New(env, code));
        return err;
    }

    static Napi::Error js(Napi::Env env, const std::string & code, const std::string & message) {
        return CodedError(code, message).toJs(env);
    }
};
