package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

func writePolicy(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func untar(t *testing.T, data []byte) map[string]string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string]string{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		files[hdr.Name] = string(body)
	}
}

func TestBundleHoldsPoliciesAndManifestButNoTests(t *testing.T) {
	dir := t.TempDir()
	writePolicy(t, dir, map[string]string{"authz.rego": "package sea.authz\n", "authz_test.rego": "package sea.authz_test\n",
		"sub/more.rego": "package sea.more\n", "README.md": "x"})
	srv := httptest.NewServer(newHandler(config{policyDir: dir, roots: []string{"sea"}}))
	defer srv.Close()

	res, err := http.Get(srv.URL + "/bundles/sea.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
	files := untar(t, body)
	if len(files) != 3 || files["/authz.rego"] != "package sea.authz\n" || files["/sub/more.rego"] == "" {
		t.Fatalf("bundle files: %v", files)
	}
	var manifest struct {
		Revision string   `json:"revision"`
		Roots    []string `json:"roots"`
	}
	if err := json.Unmarshal([]byte(files["/.manifest"]), &manifest); err != nil || len(manifest.Roots) != 1 || manifest.Roots[0] != "sea" {
		t.Fatalf("manifest %q: %v", files["/.manifest"], err)
	}
	etag := res.Header.Get("ETag")
	if etag != `"`+manifest.Revision+`"` {
		t.Fatalf("ETag %s, revision %s", etag, manifest.Revision)
	}

	// OPA's conditional download: unchanged policy -> 304; changed policy -> a new revision.
	req, _ := http.NewRequest("GET", srv.URL+"/bundles/sea.tar.gz", nil)
	req.Header.Set("If-None-Match", etag)
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET: %v %v", res, err)
	}
	writePolicy(t, dir, map[string]string{"authz.rego": "package sea.authz\n\ndefault allow := false\n"})
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 || res.Header.Get("ETag") == etag {
		t.Fatalf("after a policy change: %v %v", res, err)
	}
}

func TestEmptyDirectoryIs503(t *testing.T) {
	srv := httptest.NewServer(newHandler(config{policyDir: t.TempDir(), roots: []string{"sea"}}))
	defer srv.Close()
	for _, path := range []string{"/bundles/sea.tar.gz", "/healthz"} {
		res, err := http.Get(srv.URL + path)
		if err != nil || res.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("%s: %v %v", path, res, err)
		}
	}
	res, _ := http.Get(srv.URL + "/bundles/sea.zip")
	if res.StatusCode != 404 {
		t.Fatalf("non-tar.gz name: %d", res.StatusCode)
	}
}
