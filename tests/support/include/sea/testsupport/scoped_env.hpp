// ScopedEnv: sets one environment variable for the lifetime of the object and restores what was there before
// (the old value, or unset). For tests of code that reads the environment; not thread-safe (setenv is not).
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>

namespace sea::testsupport {

class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
        if (const char* old = std::getenv(name_.c_str())) old_ = old;
        ::setenv(name_.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
        else ::unsetenv(name_.c_str());
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
    std::optional<std::string> old_;
};

}  // namespace sea::testsupport
