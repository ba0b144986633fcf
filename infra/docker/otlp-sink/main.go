// Command otlp-sink stands in for OpenObserve in the hermetic chaos stack. It is NOT OpenObserve:
// it implements a documented SUBSET of OpenObserve's HTTP API, on OpenObserve's port and paths, enough for
// the collector to export traces and for the suite to confirm delivery the way it would against the real
// server (probes/include/sea/probes/openobserve_probe.hpp works against both).
//
// Contract:
//
//	POST /api/{org}/v1/traces  OTLP/HTTP ExportTraceServiceRequest, protobuf (application/x-protobuf)
//	                           or JSON (application/json), optionally Content-Encoding: gzip.
//	                           Requires "Authorization: Basic base64(user:password)" matching
//	                           SINK_USER/SINK_PASSWORD (401 otherwise). Each span is appended to the
//	                           spans file as "<span_id> <trace_id> <timestamp_us> <org>\n" (fsync) before
//	                           the answer, so an acknowledged span survives a restart. Answers 200 with an
//	                           empty ExportTraceServiceResponse in the request's encoding.
//	POST /api/{org}/_search    OpenObserve's search API, subset: ?type=traces, stream "default",
//	                           SELECT <cols> FROM "default" WHERE span_id|trace_id IN ('<hex>', ...)
//	                           with required start_time/end_time (µs, filter on _timestamp = span start),
//	                           from/size paging; Basic auth as above. Answers {"took","hits","total",
//	                           "from","size","scan_size"}; anything else 400 {"code","message"} naming the
//	                           supported form (see search.go for the shapes and where they come from).
//	                           A retried batch is stored twice and found twice (at-least-once).
//	GET  /healthz              200 "ok" once the spans file is open.
//
// Environment: SINK_ADDR (default ":5080"), SINK_SPANS_FILE (default "/data/spans.log"),
// SINK_USER (default "root@example.com"), SINK_PASSWORD (default "Complexpass#123").
// One log line per request on stdout.
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	cfg := config{
		addr:      envOr("SINK_ADDR", ":5080"),
		spansFile: envOr("SINK_SPANS_FILE", "/data/spans.log"),
		user:      envOr("SINK_USER", "root@example.com"),
		password:  envOr("SINK_PASSWORD", "Complexpass#123"),
	}
	store, err := openSpanStore(cfg.spansFile)
	if err != nil {
		log.Fatalf("otlp-sink: cannot open spans file %q: %v", cfg.spansFile, err)
	}
	defer store.Close()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds | log.LUTC)
	log.Printf("otlp-sink: listening on %s, spans file %s (%d spans already stored)", cfg.addr, cfg.spansFile, store.Count())
	server := &http.Server{Addr: cfg.addr, Handler: newHandler(cfg, store)}
	log.Fatal(server.ListenAndServe())
}

type config struct {
	addr, spansFile, user, password string
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}
