package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"sync"
)

// spanStore is an append-only, fsync'ed log of received spans plus an in-memory index of span ids.
// Safe for concurrent use.
type spanStore struct {
	mu      sync.Mutex
	file    *os.File
	spanIDs []string
}

// openSpanStore opens (creating if needed) the log at path and loads the span ids already in it.
func openSpanStore(path string) (*spanStore, error) {
	file, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	store := &spanStore{file: file, spanIDs: []string{}}
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if fields := strings.Fields(scanner.Text()); len(fields) > 0 {
			store.spanIDs = append(store.spanIDs, fields[0])
		}
	}
	if err := scanner.Err(); err != nil {
		file.Close()
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return store, nil
}

// Append durably records spans given as (spanID, traceID) hex pairs.
func (s *spanStore) Append(spans [][2]string) error {
	if len(spans) == 0 {
		return nil
	}
	var b strings.Builder
	for _, span := range spans {
		fmt.Fprintf(&b, "%s %s\n", span[0], span[1])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.file.WriteString(b.String()); err != nil {
		return err
	}
	if err := s.file.Sync(); err != nil {
		return err
	}
	for _, span := range spans {
		s.spanIDs = append(s.spanIDs, span[0])
	}
	return nil
}

// SpanIDs returns a copy of every span id received so far, in arrival order.
func (s *spanStore) SpanIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.spanIDs...)
}

// Count returns how many spans are stored.
func (s *spanStore) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.spanIDs)
}

func (s *spanStore) Close() error { return s.file.Close() }
