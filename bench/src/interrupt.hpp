// Ctrl-C / SIGTERM during the benchmark: the stack it brought up is taken down before the process exits.
//
// Contract: install_interrupt_handler() must be called in main() before any thread starts (it blocks SIGINT and
// SIGTERM in the calling thread, so every later thread inherits the mask, and waits for them on its own thread).
// On a signal it calls down() on the registered stack (if any) and exits with 128 + signal number.
// ActiveStack registers a stack for its lifetime.
#pragma once

namespace sea::fixtures {
class Stack;
}

namespace sea::bench {

void install_interrupt_handler();

class ActiveStack {
public:
    explicit ActiveStack(fixtures::Stack& stack);
    ~ActiveStack();
    ActiveStack(const ActiveStack&) = delete;
    ActiveStack& operator=(const ActiveStack&) = delete;
};

}  // namespace sea::bench
