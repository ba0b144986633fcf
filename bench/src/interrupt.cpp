#include "interrupt.hpp"

#include "sea/fixtures/log.hpp"
#include "sea/fixtures/stack.hpp"

#include <csignal>
#include <cstdlib>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <unistd.h>

namespace sea::bench {
namespace {

std::mutex g_mutex;
fixtures::Stack* g_stack = nullptr;

}  // namespace

void install_interrupt_handler() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) return;
        fixtures::log_line("bench: signal " + std::to_string(sig) + ": taking the stack down before exiting");
        {
            std::lock_guard<std::mutex> lock(g_mutex);
            if (g_stack != nullptr) g_stack->down();
        }
        _exit(128 + sig);
    }).detach();
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
