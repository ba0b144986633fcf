package main

import (
	"compress/gzip"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// maxBodyBytes bounds one request body (after decompression) so a bad client cannot exhaust memory.
const maxBodyBytes = 64 << 20

func newHandler(cfg config, store *spanStore) http.Handler {
	mux := http.NewServeMux()
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.user+":"+cfg.password))
	authorized := func(r *http.Request) bool {
		return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(wantAuth)) == 1
	}
	mux.HandleFunc("POST /api/{org}/v1/traces", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r) {
			http.Error(w, "missing or wrong Basic authorization", http.StatusUnauthorized)
			return
		}
		rows, isJSON, err := decodeTraces(r, r.PathValue("org"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := store.Append(rows); err != nil {
			http.Error(w, "storing spans: "+err.Error(), http.StatusInternalServerError)
			return
		}
		writeExportResponse(w, isJSON)
	})
	search := searchHandler(store)
	mux.HandleFunc("POST /api/{org}/_search", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r) {
			writeJSON(w, http.StatusUnauthorized, errorBody{Code: http.StatusUnauthorized, Message: "Unauthorized Access"})
			return
		}
		search(w, r)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	return logRequests(mux)
}

// decodeTraces reads an OTLP/HTTP trace export request and returns one row per span for org, stamped as
// OpenObserve stamps _timestamp: the span's start time in microseconds.
func decodeTraces(r *http.Request, org string) (spans []spanRow, isJSON bool, err error) {
	var body io.Reader = r.Body
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
	case "gzip":
		gz, gzErr := gzip.NewReader(r.Body)
		if gzErr != nil {
			return nil, false, fmt.Errorf("bad gzip body: %w", gzErr)
		}
		defer gz.Close()
		body = gz
	default:
		return nil, false, fmt.Errorf("unsupported Content-Encoding %q (want gzip or none)", enc)
	}
	raw, err := io.ReadAll(io.LimitReader(body, maxBodyBytes+1))
	if err != nil {
		return nil, false, fmt.Errorf("reading body: %w", err)
	}
	if len(raw) > maxBodyBytes {
		return nil, false, fmt.Errorf("body larger than %d bytes", maxBodyBytes)
	}
	req := ptraceotlp.NewExportRequest()
	contentType := strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])
	switch contentType {
	case "application/x-protobuf":
		err = req.UnmarshalProto(raw)
	case "application/json":
		isJSON = true
		err = req.UnmarshalJSON(raw)
	default:
		return nil, false, fmt.Errorf("unsupported Content-Type %q (want application/x-protobuf or application/json)", contentType)
	}
	if err != nil {
		return nil, isJSON, fmt.Errorf("decoding OTLP traces: %w", err)
	}
	resourceSpans := req.Traces().ResourceSpans()
	for i := 0; i < resourceSpans.Len(); i++ {
		scopeSpans := resourceSpans.At(i).ScopeSpans()
		for j := 0; j < scopeSpans.Len(); j++ {
			list := scopeSpans.At(j).Spans()
			for k := 0; k < list.Len(); k++ {
				span := list.At(k)
				spans = append(spans, spanRow{Org: org, SpanID: span.SpanID().String(), TraceID: span.TraceID().String(),
					Timestamp: int64(span.StartTimestamp()) / 1000})
			}
		}
	}
	return spans, isJSON, nil
}

func writeExportResponse(w http.ResponseWriter, isJSON bool) {
	resp := ptraceotlp.NewExportResponse()
	var payload []byte
	var err error
	if isJSON {
		w.Header().Set("Content-Type", "application/json")
		payload, err = resp.MarshalJSON()
	} else {
		w.Header().Set("Content-Type", "application/x-protobuf")
		payload, err = resp.MarshalProto()
	}
	if err != nil {
		http.Error(w, "encoding response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(payload)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// logRequests writes one line per request: method, path, status, duration, remote address.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Printf("%s %s %d %s %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Microsecond), r.RemoteAddr)
	})
}
