package main

import (
	"bytes"
	"fmt"
	"strings"
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
		span.SetStartTimestamp(pcommon.Timestamp(startMicros * 1000))
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

// search POSTs a search request body to /api/default/_search?<query> and returns status and decoded body.
func search(t *testing.T, url, query, body string, auth bool) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/api/default/_search?"+query, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPassword)))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var decoded map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&decoded); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return resp.StatusCode, decoded
}

// allTime covers every span exportRequest makes (start timestamp 0 → _timestamp 0 is excluded, so
// exportRequest stamps spans at startMicros).
const startMicros = int64(1_700_000_000_000_000)

func searchBody(sql string, from, size int64) string {
	return fmt.Sprintf(`{"query":{"sql":%q,"start_time":%d,"end_time":%d,"from":%d,"size":%d}}`, sql, startMicros-1000, startMicros+1000, from, size)
}

// foundSpans asks for span ids 01..10 and returns the span ids of the hits in answer order.
func foundSpans(t *testing.T, url string) []string {
	t.Helper()
	in := make([]string, 0, 10)
	for i := 1; i <= 10; i++ {
		in = append(in, fmt.Sprintf("'%016x'", i))
	}
	sql := `SELECT span_id FROM "default" WHERE span_id IN (` + strings.Join(in, ",") + `) ORDER BY _timestamp ASC`
	status, body := search(t, url, "type=traces", searchBody(sql, 0, 100), true)
	if status != http.StatusOK {
		t.Fatalf("search: status %d body %v", status, body)
	}
	var ids []string
	for _, hit := range body["hits"].([]any) {
		ids = append(ids, hit.(map[string]any)["span_id"].(string))
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
	if got := foundSpans(t, srv.URL); !equal(got, want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	srv.Close()
	store.Close()
	restarted, _ := newTestServer(t, file)
	if got := foundSpans(t, restarted.URL); !equal(got, want) {
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
	// Nothing stored: like OpenObserve before the first ingest, the traces stream does not exist yet.
	status, body := search(t, srv.URL, "type=traces", searchBody(`SELECT span_id FROM "default" WHERE span_id IN ('0000000000000001')`, 0, 10), true)
	if status != http.StatusBadRequest || body["code"] != float64(20002) {
		t.Fatalf("rejected requests stored spans: status %d body %v", status, body)
	}
}

func TestSearchSubsetPagesFiltersAndRejectsTheRest(t *testing.T) {
	srv, _ := newTestServer(t, filepath.Join(t.TempDir(), "spans.log"))
	proto, _ := exportRequest(1, 2, 3, 4, 5).MarshalProto()
	if code := post(t, srv.URL, "application/x-protobuf", "", proto, true); code != http.StatusOK {
		t.Fatalf("export: status %d", code)
	}
	five := `SELECT span_id, trace_id FROM "default" WHERE span_id IN ('0000000000000001','0000000000000002','0000000000000003','0000000000000004','0000000000000005','00000000000000ff') ORDER BY _timestamp ASC`
	// Paging: size 2 → 2 + 2 + 1 rows, total counts the page's hits (OpenObserve without track_total_hits).
	var seen []string
	for from := int64(0); from < 6; from += 2 {
		status, body := search(t, srv.URL, "type=traces", searchBody(five, from, 2), true)
		if status != http.StatusOK {
			t.Fatalf("from %d: status %d body %v", from, status, body)
		}
		hits := body["hits"].([]any)
		if int(body["total"].(float64)) != len(hits) || body["from"] != float64(from) || body["size"] != float64(2) {
			t.Fatalf("from %d: total/from/size wrong: %v", from, body)
		}
		for _, h := range hits {
			row := h.(map[string]any)
			if _, ok := row["_timestamp"]; ok {
				t.Fatalf("unselected column returned: %v", row)
			}
			seen = append(seen, row["span_id"].(string))
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paging saw %v, want the 5 stored spans once each", seen)
	}
	// The time window filters on _timestamp (span start, µs): a window after the spans finds none.
	late := fmt.Sprintf(`{"query":{"sql":%q,"start_time":%d,"end_time":%d}}`, five, startMicros+1, startMicros+5000)
	if status, body := search(t, srv.URL, "type=traces", late, true); status != http.StatusOK || len(body["hits"].([]any)) != 0 {
		t.Fatalf("window after the spans: status %d body %v", status, body)
	}
	// SELECT * returns the three stored columns; trace_id filter works.
	star := searchBody(`select * from default where trace_id in ('0102030405060708090a0b0c0d0e0f03')`, 0, 10)
	status, body := search(t, srv.URL, "type=traces", star, true)
	if status != http.StatusOK || len(body["hits"].([]any)) != 1 {
		t.Fatalf("select *: status %d body %v", status, body)
	}
	if row := body["hits"].([]any)[0].(map[string]any); row["_timestamp"] != float64(startMicros) || row["span_id"] != "0000000000000003" {
		t.Fatalf("select * row %v", row)
	}

	cases := []struct {
		name, query, body string
		auth              bool
		status, code      int
		message           string
	}{
		{"no auth", "type=traces", searchBody(five, 0, 10), false, 401, 401, "Unauthorized"},
		{"logs stream type (the default)", "", searchBody(five, 0, 10), true, 400, 20002, "Search stream not found: default"},
		{"unknown stream", "type=traces", searchBody(`SELECT span_id FROM "other" WHERE span_id IN ('0000000000000001')`, 0, 10), true, 400, 20002, "Search stream not found: other"},
		{"unsupported SQL", "type=traces", searchBody(`SELECT count(*) FROM "default"`, 0, 10), true, 400, 20001, "Search SQL not valid"},
		{"unquoted id", "type=traces", searchBody(`SELECT span_id FROM "default" WHERE span_id IN (1)`, 0, 10), true, 400, 20001, "Search SQL not valid"},
		{"unknown column", "type=traces", searchBody(`SELECT service_name FROM "default" WHERE span_id IN ('01')`, 0, 10), true, 400, 20001, "Search SQL not valid"},
		{"missing start_time", "type=traces", `{"query":{"sql":"SELECT span_id FROM \"default\" WHERE span_id IN ('01')","end_time":5}}`, true, 400, 400, "start_time"},
		{"missing end_time", "type=traces", `{"query":{"sql":"SELECT span_id FROM \"default\" WHERE span_id IN ('01')","start_time":5}}`, true, 400, 400, "end_time"},
		{"zero start_time", "type=traces", `{"query":{"sql":"x","start_time":0,"end_time":5}}`, true, 400, 400, "start_time is empty"},
		{"negative size", "type=traces", `{"query":{"sql":"x","start_time":1,"end_time":5,"size":-1}}`, true, 400, 400, "must not be negative"},
		{"no query object", "type=traces", `{"sql":"x"}`, true, 400, 400, "missing field `query`"},
		{"not JSON", "type=traces", `{"query":`, true, 400, 400, "not a search request"},
	}
	for _, c := range cases {
		status, body := search(t, srv.URL, c.query, c.body, c.auth)
		if status != c.status || body["code"] != float64(c.code) || !strings.Contains(body["message"].(string), c.message) {
			t.Errorf("%s: status %d body %v, want %d code %d message containing %q", c.name, status, body, c.status, c.code, c.message)
		}
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
