package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// spanRow is one stored span: what a row of OpenObserve's traces stream holds that the search subset reads.
type spanRow struct {
	Org       string
	SpanID    string // 16 lower-case hex digits
	TraceID   string // 32 lower-case hex digits
	Timestamp int64  // span start, microseconds since the epoch (OpenObserve's _timestamp)
}

// spanStore is an append-only, fsync'ed log of received spans plus an in-memory copy of its rows.
// Line format: "<span_id> <trace_id> <timestamp_us> <org>\n". Safe for concurrent use.
type spanStore struct {
	mu   sync.Mutex
	file *os.File
	rows []spanRow
}

// openSpanStore opens (creating if needed) the log at path and loads the rows already in it.
func openSpanStore(path string) (*spanStore, error) {
	file, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	store := &spanStore{file: file}
	scanner := bufio.NewScanner(file)
	for line := 1; scanner.Scan(); line++ {
		fields := strings.Fields(scanner.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 4 {
			file.Close()
			return nil, fmt.Errorf("%s line %d: want \"<span_id> <trace_id> <timestamp_us> <org>\", got %q (a spans file of an older sink: remove the volume)", path, line, scanner.Text())
		}
		ts, convErr := strconv.ParseInt(fields[2], 10, 64)
		if convErr != nil {
			file.Close()
			return nil, fmt.Errorf("%s line %d: bad timestamp %q", path, line, fields[2])
		}
		store.rows = append(store.rows, spanRow{Org: fields[3], SpanID: fields[0], TraceID: fields[1], Timestamp: ts})
	}
	if err := scanner.Err(); err != nil {
		file.Close()
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return store, nil
}

// Append durably records rows before returning.
func (s *spanStore) Append(rows []spanRow) error {
	if len(rows) == 0 {
		return nil
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s %s %d %s\n", r.SpanID, r.TraceID, r.Timestamp, r.Org)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.file.WriteString(b.String()); err != nil {
		return err
	}
	if err := s.file.Sync(); err != nil {
		return err
	}
	s.rows = append(s.rows, rows...)
	return nil
}

// Rows returns a copy of the rows stored for org, in arrival order (a retried batch appears twice).
func (s *spanStore) Rows(org string) []spanRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []spanRow
	for _, r := range s.rows {
		if r.Org == org {
			out = append(out, r)
		}
	}
	return out
}

// Count returns how many rows are stored (all orgs).
func (s *spanStore) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rows)
}

func (s *spanStore) Close() error { return s.file.Close() }
