#pragma once
// Cooperative stop flag with interruptible waits. installTerminationHandler() blocks SIGTERM/SIGINT in
// the calling thread (call it in main before starting threads, so every thread inherits the mask) and
// starts a thread that sigwait()s for them and requests stop: no work happens in a signal handler.
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace sea::apps {

class StopSignal {
public:
    void requestStop();
    bool stopRequested() const;
    // Waits up to `duration`; returns true when stop was requested (early or already).
    bool waitFor(std::chrono::milliseconds duration) const;

private:
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    bool stop_ = false;
};

// Routes SIGTERM and SIGINT to stop.requestStop(). `stop` must outlive the process's main().
void installTerminationHandler(StopSignal& stop);

}  // namespace sea::apps
