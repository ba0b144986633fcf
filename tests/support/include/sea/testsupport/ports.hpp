// Loopback port helpers for tests. Ports are only ever bound on 127.0.0.1.
#pragma once

namespace sea::testsupport {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
// The same process never receives the same port twice. Throws std::runtime_error if the kernel
// refuses to hand out a port.
int free_loopback_port();

// A port on 127.0.0.1 where a connect is refused: bound (never listened) and closed. Same race
// caveat as free_loopback_port (another process could grab it), acceptable on a test machine.
int closed_loopback_port();

}  // namespace sea::testsupport
