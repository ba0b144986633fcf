package main

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

const testUser, testPassword = "root@test", "secret"

func newTestServer(t *testing.T, spansFile string) (*httptest.Server, *spanStore) {
	t.Helper()
	store, err := openSpanStore(spansFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(newHandler(config{user: testUser, password: testPassword}, store))
	t.Cleanup(srv.Close)
	return srv, store
}

func exportRequest(spanIDs ...byte) ptraceotlp.ExportRequest {
	traces := ptrace.NewTraces()
	spans := traces.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, id := range spanIDs {
		span := spans.AppendEmpty()
		span.SetName("probe")
		span.SetSpanID(pcommon.SpanID{0, 0, 0, 0, 0, 0, 0, id})
		span.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, id})
	}
	return ptraceotlp.NewExportRequestFromTraces(traces)
}

func post(t *testing.T, url, contentType, encoding string, body []byte, auth bool) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/api/default/v1/traces", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	if auth {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPassword)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func listedSpans(t *testing.T, url string) []string {
	t.Helper()
	resp, err := http.Get(url + "/sink/spans")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ids []string
	if err := json.NewDecoder(resp.Body).Decode(&ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestAcceptsProtobufJSONAndGzipAndKeepsSpansAcrossRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "spans.log")
	srv, store := newTestServer(t, file)
	proto, _ := exportRequest(1, 2).MarshalProto()
	if code := post(t, srv.URL, "application/x-protobuf", "", proto, true); code != http.StatusOK {
		t.Fatalf("protobuf export: status %d", code)
	}
	jsonBody, _ := exportRequest(3).MarshalJSON()
	if code := post(t, srv.URL, "application/json", "", jsonBody, true); code != http.StatusOK {
		t.Fatalf("json export: status %d", code)
	}
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(proto)
	w.Close()
	if code := post(t, srv.URL, "application/x-protobuf", "gzip", gz.Bytes(), true); code != http.StatusOK {
		t.Fatalf("gzip export: status %d", code)
	}
	want := []string{"0000000000000001", "0000000000000002", "0000000000000003", "0000000000000001", "0000000000000002"}
	if got := listedSpans(t, srv.URL); !equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	srv.Close()
	store.Close()
	restarted, _ := newTestServer(t, file)
	if got := listedSpans(t, restarted.URL); !equal(got, want) {
		t.Fatalf("after restart spans %v, want %v", got, want)
	}
}

func TestRejectsMissingAuthAndBadInput(t *testing.T) {
	srv, _ := newTestServer(t, filepath.Join(t.TempDir(), "spans.log"))
	proto, _ := exportRequest(1).MarshalProto()
	cases := []struct {
		name, contentType, encoding string
		body                        []byte
		auth                        bool
		want                        int
	}{
		{"no auth", "application/x-protobuf", "", proto, false, http.StatusUnauthorized},
		{"garbage protobuf", "application/x-protobuf", "", []byte{0xff, 0xff, 0xff}, true, http.StatusBadRequest},
		{"unknown content type", "text/plain", "", proto, true, http.StatusBadRequest},
		{"bad gzip", "application/x-protobuf", "gzip", proto, true, http.StatusBadRequest},
		{"unknown encoding", "application/x-protobuf", "br", proto, true, http.StatusBadRequest},
	}
	for _, c := range cases {
		if code := post(t, srv.URL, c.contentType, c.encoding, c.body, c.auth); code != c.want {
			t.Errorf("%s: status %d, want %d", c.name, code, c.want)
		}
	}
	if got := listedSpans(t, srv.URL); len(got) != 0 {
		t.Fatalf("rejected requests stored spans: %v", got)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
