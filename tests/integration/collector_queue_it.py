#!/usr/bin/env python3
"""The collector keeps the spans it accepted across a restart: its sending queue is persistent (label `integration`).

No docker: the otelcol-sea binary (scripts/build-go-tools.sh) runs locally with the REAL infra/otel/collector.yaml,
its listen addresses, queue directory and export endpoint moved by the SEA_OTELCOL_* / SEA_OTEL_EXPORT_ENDPOINT env
vars the config reads (free loopback ports, a temporary directory). The backend is the OpenObserve stand-in
otlp-sink (same binary as in the hermetic image), which appends every span it acknowledges to a spans file.

Each case:
  1. starts the collector with the export endpoint on a loopback port where nothing listens yet;
  2. sends N spans over OTLP/HTTP (JSON) in WAVES requests, and after each wave waits until the collector
     reports them enqueued in its exporter queue (/metrics: otelcol_exporter_enqueue_size_sum reaches the running
     total; otelcol_exporter_sent_spans stays 0), so several queue requests exist: 2 being retried by the
     consumers, the others waiting;
  3. stops the collector: SIGKILL (a crash, an OOM kill, `docker kill`) or SIGTERM (`docker restart`, `docker
     stop`), and starts it again with the same config and directory;
  4. starts the backend and waits (deadline polling) until every one of the N span ids is in its spans file.
A run fails fast when the restarted collector reports an empty queue and nothing in flight while spans are still
missing: nothing is left that could deliver them (what the in-memory queue does).

Usage: collector_queue_it.py [--config FILE]... [unittest args]
  --config (repeatable; default infra/otel/collector.yaml) is passed to the collector as given, so the mutant's
  merged config shows the test failing:
    collector_queue_it.py --config infra/otel/collector.yaml --config tests/mutants/variants/collector-memory-queue.yaml
Binaries: $SEA_OTELCOL_BIN / $SEA_OTLP_SINK_BIN, else ${SEA_CACHE_DIR:-<repo>/.cache}/bin/{otelcol-sea,otlp-sink}.
Missing binaries skip the cases (exit 77, ctest SKIP_RETURN_CODE) unless SEA_REQUIRE_ALL=1, which fails them.
"""
import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.environ.get("SEA_REPO") or os.path.dirname(os.path.dirname(HERE))
CACHE_BIN = os.path.join(os.environ.get("SEA_CACHE_DIR") or os.path.join(REPO, ".cache"), "bin")
CONFIGS = [os.path.join(REPO, "infra/otel/collector.yaml")]
EXPORTER = "otlphttp/openobserve"
N_SPANS = 300
WAVES = 6
USER, PASSWORD = "queue-test@sea-chaos.local", "queue-test-password"


def binary(env_var, name):
    path = os.environ.get(env_var) or os.path.join(CACHE_BIN, name)
    return path if os.access(path, os.X_OK) else None


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, timeout_s, probe, interval_s=0.05):
    """Polls probe() -> (done, detail) until done or the deadline; returns the last detail, raises on timeout."""
    deadline = time.monotonic() + timeout_s
    detail = "never probed"
    while True:
        done, detail = probe()
        if done:
            return detail
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout_s:g} s (last: {detail})")
        time.sleep(interval_s)  # poll interval, not a synchronisation


def http_get(url, timeout_s=1.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:
        return None, str(e)


METRIC_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")


def scrape(url):
    """{metric name: sum over its series restricted to our exporter (or unlabelled)}; None when unreachable."""
    status, text = http_get(url)
    if status != 200:
        return None
    values = {}
    for line in text.splitlines():
        m = METRIC_LINE.match(line)
        if not m:
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        if "exporter=" in labels and f'exporter="{EXPORTER}"' not in labels:
            continue
        try:
            values[name] = values.get(name, 0.0) + float(value)
        except ValueError:
            pass
    return values


def otlp_json(span_ids, trace_id):
    now_ns = time.time_ns()
    spans = [{"traceId": trace_id, "spanId": sid, "name": "queue-test", "kind": 1,
              "startTimeUnixNano": str(now_ns), "endTimeUnixNano": str(now_ns + 1000)} for sid in span_ids]
    return json.dumps({"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "collector-queue-it"}}]},
        "scopeSpans": [{"scope": {"name": "collector_queue_it"}, "spans": spans}]}]}).encode()


class Proc:
    """A child process with its output in a log file; stop() is idempotent."""

    def __init__(self, argv, env, log_path):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.p = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self):
        return self.p.poll() is None

    def stop(self, sig=signal.SIGKILL, timeout_s=20):
        if self.alive():
            self.p.send_signal(sig)
        try:
            self.p.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait(timeout=10)
            raise AssertionError(f"pid {self.p.pid} did not exit within {timeout_s} s of signal {sig}")
        finally:
            self.log.close()
        return self.p.returncode

    def tail(self, n=25):
        try:
            with open(self.log_path, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except OSError as e:
            return str(e)


class CollectorPersistentQueue(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.otelcol = binary("SEA_OTELCOL_BIN", "otelcol-sea")
        cls.sink = binary("SEA_OTLP_SINK_BIN", "otlp-sink")
        missing = [n for n, b in (("otelcol-sea", cls.otelcol), ("otlp-sink", cls.sink)) if b is None]
        if missing:
            message = f"{', '.join(missing)} not found in {CACHE_BIN}: run scripts/build-go-tools.sh otelcol-sea otlp-sink"
            if os.environ.get("SEA_REQUIRE_ALL") == "1":
                raise AssertionError(message + " (SEA_REQUIRE_ALL=1)")
            raise unittest.SkipTest(message)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sea-collector-queue-")
        self.procs = []
        ports = {k: free_port() for k in ("grpc", "http", "health", "metrics", "backend")}
        self.otlp_url = f"http://127.0.0.1:{ports['http']}/v1/traces"
        self.health_url = f"http://127.0.0.1:{ports['health']}/"
        self.metrics_url = f"http://127.0.0.1:{ports['metrics']}/metrics"
        self.backend_addr = f"127.0.0.1:{ports['backend']}"
        self.spans_file = os.path.join(self.dir, "spans.log")
        self.env = dict(os.environ,
                        SEA_OTELCOL_GRPC_ENDPOINT=f"127.0.0.1:{ports['grpc']}",
                        SEA_OTELCOL_HTTP_ENDPOINT=f"127.0.0.1:{ports['http']}",
                        SEA_OTELCOL_HEALTH_ENDPOINT=f"127.0.0.1:{ports['health']}",
                        SEA_OTELCOL_METRICS_HOST="127.0.0.1",
                        SEA_OTELCOL_METRICS_PORT=str(ports["metrics"]),
                        SEA_OTELCOL_QUEUE_DIR=os.path.join(self.dir, "queue"),
                        SEA_OTEL_EXPORT_ENDPOINT=f"http://{self.backend_addr}/api/default",
                        SEA_OPENOBSERVE_BASIC_AUTH=base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())

    def tearDown(self):
        for proc in self.procs:
            if proc.alive():
                proc.stop(signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def print_logs(self):
        for proc in self.procs:
            print(f"--- {os.path.basename(proc.log_path)} (last lines)\n{proc.tail(12)}", file=sys.stderr)

    def start_collector(self, n):
        argv = [self.otelcol]
        for config in CONFIGS:
            argv += ["--config", config]
        proc = Proc(argv, self.env, os.path.join(self.dir, f"collector-{n}.log"))
        self.procs.append(proc)
        wait_until(f"collector #{n} healthy on {self.health_url}", 30, lambda: (
            (not proc.alive()) or http_get(self.health_url)[0] == 200,
            "exited" if not proc.alive() else "starting"))
        self.assertTrue(proc.alive(), f"collector #{n} exited at start:\n{proc.tail()}")
        return proc

    def metrics(self):
        m = scrape(self.metrics_url)
        return m if m is not None else {}

    def send(self, span_ids):
        trace_id = os.urandom(16).hex()
        req = urllib.request.Request(self.otlp_url, data=otlp_json(span_ids, trace_id),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 200, f"the collector refused {len(span_ids)} spans")

    def delivered(self):
        try:
            with open(self.spans_file, encoding="utf-8") as f:
                return [line.split()[0] for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def restart_keeps_every_span(self, sig):
        t0 = time.monotonic()
        first = self.start_collector(1)
        span_ids = [os.urandom(8).hex() for _ in range(N_SPANS)]
        per_wave = N_SPANS // WAVES
        for w in range(WAVES):
            wave = span_ids[w * per_wave:(w + 1) * per_wave]
            for i in range(0, len(wave), 10):
                self.send(wave[i:i + 10])
            total = (w + 1) * per_wave

            def enqueued(total=total):
                m = self.metrics()
                got = m.get("otelcol_exporter_enqueue_size_sum", 0)
                return got >= total, f"otelcol_exporter_enqueue_size_sum {got:g} of {total}"
            wait_until(f"wave {w + 1}: the collector enqueued {total} spans", 20, enqueued)
        before = self.metrics()
        self.assertEqual(before.get("otelcol_exporter_enqueue_size_sum"), N_SPANS)
        self.assertEqual(before.get("otelcol_exporter_sent_spans", 0), 0, "a span was sent with no backend listening")
        self.assertGreater(before.get("otelcol_exporter_queue_size", 0), 0, "the exporter queue is empty")
        queued = before.get("otelcol_exporter_queue_size", 0)
        in_flight = before.get("otelcol_exporter_in_flight_requests", 0)

        rc = first.stop(sig)
        second = self.start_collector(2)
        after = self.metrics()
        t_backend = time.monotonic()
        self.procs.append(Proc([self.sink], dict(os.environ, SINK_ADDR=self.backend_addr, SINK_SPANS_FILE=self.spans_file,
                                                 SINK_USER=USER, SINK_PASSWORD=PASSWORD),
                               os.path.join(self.dir, "otlp-sink.log")))
        wanted = set(span_ids)

        def all_arrived():
            got = set(self.delivered())
            missing = len(wanted - got)
            if missing and second.alive():
                m = scrape(self.metrics_url)
                if m is not None and m.get("otelcol_exporter_queue_size", 0) == 0 \
                        and m.get("otelcol_exporter_in_flight_requests", 0) == 0 and self.procs[-1].alive() \
                        and http_get(f"http://{self.backend_addr}/healthz")[0] == 200:
                    # Re-read once: the last send may have completed between the two reads.
                    missing = len(wanted - set(self.delivered()))
                    if missing:
                        raise AssertionError(f"{missing} of {N_SPANS} spans lost: the restarted collector holds nothing "
                                             f"more to send (queue 0, in flight 0) and the backend is up")
            return missing == 0, f"{N_SPANS - missing} of {N_SPANS} span ids in the backend"
        wait_until("every span accepted before the restart reaches the backend", 60, all_arrived)
        delivered = self.delivered()
        duplicates = len(delivered) - len(set(delivered))
        print(f"\n{signal.Signals(sig).name}: {N_SPANS} spans in {WAVES} waves queued (queue_size {queued:g}, in flight "
              f"{in_flight:g}); collector exit {rc}; after restart queue_size {after.get('otelcol_exporter_queue_size', 0):g}; "
              f"all {N_SPANS} delivered {time.monotonic() - t_backend:.2f} s after the backend started "
              f"({duplicates} duplicates); case {time.monotonic() - t0:.1f} s", file=sys.stderr)
        self.assertEqual(set(delivered), wanted)

    def run_case(self, sig):
        try:
            self.restart_keeps_every_span(sig)
        except Exception:
            self.print_logs()
            raise

    def test_sigkill_then_restart_delivers_every_accepted_span(self):
        self.run_case(signal.SIGKILL)

    def test_sigterm_then_restart_delivers_every_accepted_span(self):
        self.run_case(signal.SIGTERM)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--config", action="append")
    args, rest = parser.parse_known_args()
    if args.config:
        CONFIGS = [os.path.abspath(c) for c in args.config]
    program = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    result = program.result
    if result.wasSuccessful() and result.skipped and len(result.skipped) >= result.testsRun:  # all skipped
        sys.exit(77)
    sys.exit(0 if result.wasSuccessful() else 1)
