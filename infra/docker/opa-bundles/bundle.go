package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type bundle struct {
	data     []byte // the .tar.gz
	revision string
	files    int
}

// buildBundle packs every *.rego (not *_test.rego) under dir, in path order, plus a .manifest. The same files give
// the same bytes (fixed mtimes, no gzip header time), so the revision and ETag only change with the policy.
func buildBundle(dir string, roots []string) (bundle, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".rego") && !strings.HasSuffix(path, "_test.rego") {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return bundle{}, fmt.Errorf("cannot read policy directory %q: %w", dir, err)
	}
	if len(paths) == 0 {
		return bundle{}, fmt.Errorf("no *.rego policy in %q", dir)
	}
	sort.Strings(paths)
	contents := make([][]byte, len(paths))
	sum := sha256.New()
	for i, path := range paths {
		if contents[i], err = os.ReadFile(path); err != nil {
			return bundle{}, err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(sum, "%s\x00%d\x00", filepath.ToSlash(rel), len(contents[i]))
		sum.Write(contents[i])
	}
	revision := hex.EncodeToString(sum.Sum(nil))[:16]
	manifest, _ := json.Marshal(map[string]any{"revision": revision, "roots": roots})

	var out bytes.Buffer
	gz := gzip.NewWriter(&out)
	tw := tar.NewWriter(gz)
	add := func(name string, body []byte) error {
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	if err := add("/.manifest", manifest); err != nil {
		return bundle{}, err
	}
	for i, path := range paths {
		rel, _ := filepath.Rel(dir, path)
		if err := add("/"+filepath.ToSlash(rel), contents[i]); err != nil {
			return bundle{}, err
		}
	}
	if err := tw.Close(); err != nil {
		return bundle{}, err
	}
	if err := gz.Close(); err != nil {
		return bundle{}, err
	}
	return bundle{data: out.Bytes(), revision: revision, files: len(paths)}, nil
}

func newHandler(cfg config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /bundles/{name}", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.PathValue("name"), ".tar.gz") {
			http.NotFound(w, r)
			return
		}
		b, err := buildBundle(cfg.policyDir, cfg.roots)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		etag := `"` + b.revision + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(b.data)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if _, err := buildBundle(cfg.policyDir, cfg.roots); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	return logRequests(mux)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Printf("%s %s %d %s", r.Method, r.URL.Path, rec.status, time.Since(start).Round(time.Microsecond))
	})
}
