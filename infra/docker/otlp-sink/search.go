package main

// The subset of OpenObserve's search API the chaos suite uses to confirm delivery
// (probes/include/sea/probes/openobserve_probe.hpp). Shapes follow OpenObserve's source
// (openobserve/openobserve, read 2026-12 at fbab9b80):
//   - route POST /api/{org_id}/_search, stream type from the query parameter `type`
//     (src/api/search/src/search/mod.rs `search`, src/common/src/utils/http.rs
//     get_stream_type_from_request; absent = logs);
//   - request {"query":{"sql","start_time","end_time","from","size"}}; start_time/end_time are required
//     (no serde default) and in microseconds, `from` defaults to 0 and `size` to ZO_QUERY_DEFAULT_LIMIT
//     = 1000 (src/config/src/meta/search.rs Query, src/config/src/config.rs);
//   - response {"took","hits":[rows],"total","from","size","scan_size",...}; without track_total_hits
//     `total` counts the hits returned (Response::add_hit), rows come newest _timestamp first;
//   - a trace row carries span_id and trace_id as lower-case hex and _timestamp = span start in µs
//     (src/core/src/traces/mod.rs); OTLP traces land in the stream "default";
//   - errors are HTTP 400 with {"code":<error code>,"message":...,"error_detail":...}, code 20001
//     "Search SQL not valid", 20002 "Search stream not found: <name>" (src/infra/src/errors/mod.rs,
//     src/core/src/http.rs map_error_to_http_response), plain bad requests {"code":400,"message":...}
//     (src/common/src/meta/http.rs HttpResponse).
// What this stand-in accepts (everything else is answered 400 naming the supported form):
//   type=traces (logs/metrics: no such stream here → 20002)
//   SELECT <cols> FROM "default" WHERE <col> IN ('<hex>', ...) [ORDER BY _timestamp [ASC|DESC]]
//     <cols>: * or a comma list of span_id, trace_id, _timestamp; <col>: span_id or trace_id.
// Deviation: the real server rejects a body it cannot deserialize through its JSON extractor (axum may
// answer 422); the stand-in answers every malformed body 400 with a message naming the field.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
)

const defaultSearchSize = 1000 // ZO_QUERY_DEFAULT_LIMIT

type searchQuery struct {
	SQL       *string `json:"sql"`
	StartTime *int64  `json:"start_time"`
	EndTime   *int64  `json:"end_time"`
	From      *int64  `json:"from"`
	Size      *int64  `json:"size"`
}

type searchRequest struct {
	Query *searchQuery `json:"query"`
}

type searchResponse struct {
	Took     int              `json:"took"`
	Hits     []map[string]any `json:"hits"`
	Total    int              `json:"total"`
	From     int64            `json:"from"`
	Size     int64            `json:"size"`
	ScanSize int              `json:"scan_size"`
}

type errorBody struct {
	Code        int    `json:"code"`
	Message     string `json:"message"`
	ErrorDetail string `json:"error_detail,omitempty"`
}

// parsedSQL is the one statement shape the stand-in understands.
type parsedSQL struct {
	columns   []string // nil = *
	stream    string
	filterCol string
	values    map[string]bool
	ascending bool
}

const supportedSQL = `SELECT <* | span_id, trace_id, _timestamp> FROM "default" WHERE <span_id|trace_id> IN ('<hex>', ...) [ORDER BY _timestamp [ASC|DESC]]`

var (
	sqlShape = regexp.MustCompile(`(?is)^\s*SELECT\s+(.+?)\s+FROM\s+("[A-Za-z0-9_\-]+"|[A-Za-z0-9_\-]+)\s+WHERE\s+([A-Za-z_]+)\s+IN\s*\(([^()]*)\)\s*(?:ORDER\s+BY\s+_timestamp(?:\s+(ASC|DESC))?)?\s*;?\s*$`)
	sqlValue = regexp.MustCompile(`^'([0-9a-f]+)'$`)
	knownCol = map[string]bool{"span_id": true, "trace_id": true, "_timestamp": true}
)

func parseSearchSQL(sql string) (parsedSQL, error) {
	m := sqlShape.FindStringSubmatch(sql)
	if m == nil {
		return parsedSQL{}, fmt.Errorf("the OpenObserve stand-in only supports %s", supportedSQL)
	}
	p := parsedSQL{stream: strings.Trim(m[2], `"`), filterCol: m[3], values: map[string]bool{}, ascending: strings.EqualFold(m[5], "ASC")}
	if cols := strings.TrimSpace(m[1]); cols != "*" {
		for _, c := range strings.Split(cols, ",") {
			c = strings.Trim(strings.TrimSpace(c), `"`)
			if !knownCol[c] {
				return parsedSQL{}, fmt.Errorf("column %q is not supported by the stand-in (span_id, trace_id, _timestamp or *)", c)
			}
			p.columns = append(p.columns, c)
		}
	}
	if p.filterCol != "span_id" && p.filterCol != "trace_id" {
		return parsedSQL{}, fmt.Errorf("WHERE %s IN (...) is not supported by the stand-in (span_id or trace_id)", p.filterCol)
	}
	for _, v := range strings.Split(m[4], ",") {
		vm := sqlValue.FindStringSubmatch(strings.TrimSpace(v))
		if vm == nil {
			return parsedSQL{}, fmt.Errorf("IN list value %q is not a quoted lower-case hex id", strings.TrimSpace(v))
		}
		p.values[vm[1]] = true
	}
	return p, nil
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func badRequest(w http.ResponseWriter, message string) {
	writeJSON(w, http.StatusBadRequest, errorBody{Code: http.StatusBadRequest, Message: message})
}

// searchHandler answers POST /api/{org}/_search?type=traces over the stored spans.
func searchHandler(store *spanStore) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		org := r.PathValue("org")
		streamType := r.URL.Query().Get("type")
		if streamType == "" {
			streamType = "logs"
		}
		var req searchRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		if err := dec.Decode(&req); err != nil {
			badRequest(w, "request body is not a search request: "+err.Error())
			return
		}
		q := req.Query
		switch {
		case q == nil:
			badRequest(w, "missing field `query`")
			return
		case q.SQL == nil:
			badRequest(w, "query: missing field `sql`")
			return
		case q.StartTime == nil:
			badRequest(w, "query: missing field `start_time` (microseconds)")
			return
		case q.EndTime == nil:
			badRequest(w, "query: missing field `end_time` (microseconds)")
			return
		case *q.StartTime <= 0:
			badRequest(w, "start_time is empty")
			return
		case *q.EndTime <= 0:
			badRequest(w, "end_time is empty")
			return
		case *q.EndTime < *q.StartTime:
			badRequest(w, fmt.Sprintf("end_time %d is before start_time %d", *q.EndTime, *q.StartTime))
			return
		}
		from, size := int64(0), int64(defaultSearchSize)
		if q.From != nil {
			from = *q.From
		}
		if q.Size != nil {
			size = *q.Size
		}
		if from < 0 || size < 0 {
			badRequest(w, fmt.Sprintf("from (%d) and size (%d) must not be negative", from, size))
			return
		}
		sql, err := parseSearchSQL(*q.SQL)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, errorBody{Code: 20001, Message: "Search SQL not valid", ErrorDetail: err.Error()})
			return
		}
		rows := store.Rows(org)
		if streamType != "traces" || sql.stream != "default" || len(rows) == 0 {
			writeJSON(w, http.StatusBadRequest, errorBody{Code: 20002, Message: "Search stream not found: " + sql.stream, ErrorDetail: sql.stream})
			return
		}
		// start_time == end_time widens to ±1 µs, as the real server does.
		start, end := *q.StartTime, *q.EndTime
		if start == end {
			start, end = start-1, end+1
		}
		var matched []spanRow
		for _, row := range rows {
			key := row.SpanID
			if sql.filterCol == "trace_id" {
				key = row.TraceID
			}
			if sql.values[key] && row.Timestamp >= start && row.Timestamp < end {
				matched = append(matched, row)
			}
		}
		sort.SliceStable(matched, func(i, j int) bool {
			if sql.ascending {
				return matched[i].Timestamp < matched[j].Timestamp
			}
			return matched[i].Timestamp > matched[j].Timestamp
		})
		resp := searchResponse{Hits: []map[string]any{}, From: from, Size: size}
		for i := from; i < int64(len(matched)) && i < from+size; i++ {
			resp.Hits = append(resp.Hits, matched[i].project(sql.columns))
		}
		resp.Total = len(resp.Hits)
		var buf bytes.Buffer
		_ = json.NewEncoder(&buf).Encode(resp)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(buf.Bytes())
	}
}

func (row spanRow) project(columns []string) map[string]any {
	all := map[string]any{"span_id": row.SpanID, "trace_id": row.TraceID, "_timestamp": row.Timestamp}
	if columns == nil {
		return all
	}
	out := map[string]any{}
	for _, c := range columns {
		out[c] = all[c]
	}
	return out
}
