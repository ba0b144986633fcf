#include "stop_signal.hpp"

#include "log.hpp"

#include <csignal>
#include <pthread.h>
#include <thread>

namespace sea::apps {

void StopSignal::requestStop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
}

bool StopSignal::stopRequested() const {
    std::lock_guard lock(mutex_);
    return stop_;
}

bool StopSignal::waitFor(std::chrono::milliseconds duration) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, duration, [this] { return stop_; });
}

void installTerminationHandler(StopSignal& stop) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    std::thread([set, &stop] {
        int received = 0;
        if (sigwait(&set, &received) == 0) {
            logf("signal", "received {}, stopping", received == SIGTERM ? "SIGTERM" : "SIGINT");
            stop.requestStop();
        }
    }).detach();
}

}  // namespace sea::apps
