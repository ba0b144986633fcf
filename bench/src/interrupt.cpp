#include "interrupt.hpp"

#include "sea/fixtures/log.hpp"
#include "sea/fixtures/stack.hpp"
#include "sea/fixtures/termination.hpp"

#include <mutex>
#include <string>

namespace sea::bench {
namespace {

std::mutex g_mutex;
fixtures::Stack* g_stack = nullptr;

}  // namespace

void install_interrupt_handler() {
    fixtures::on_termination_signal([](int sig) {
        fixtures::log_line("bench: signal " + std::to_string(sig) + ": taking the stack down before exiting");
        std::lock_guard<std::mutex> lock(g_mutex);
        if (g_stack != nullptr) g_stack->down();
    });
}

ActiveStack::ActiveStack(fixtures::Stack& stack) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_stack = &stack;
}

ActiveStack::~ActiveStack() {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_stack = nullptr;
}

}  // namespace sea::bench
