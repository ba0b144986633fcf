// Command opa-bundles is the bundle service of the hermetic chaos stack: it serves a policy directory as an
// OPA bundle (https://www.openpolicyagent.org/docs/management-bundles) over plain HTTP, so OPA gets its policy
// the production way (bundles pulled from a bundle server) instead of from files on its own disk.
//
// Contract:
//
//	GET /bundles/<name>.tar.gz  The bundle: a gzipped tar of every *.rego file under BUNDLES_POLICY_DIR
//	                            (files named *_test.rego are left out) plus a /.manifest with
//	                            {"revision": <sha256 of the files, 16 hex>, "roots": [BUNDLES_ROOTS...]}.
//	                            Built from the directory on every request (a few KB), so an edited policy
//	                            is served at once. ETag = "<revision>"; If-None-Match with it answers 304
//	                            (OPA's bundle downloader sends it). Any <name> serves the same bundle.
//	GET /healthz                200 "ok" when the bundle builds (the directory holds at least one policy),
//	                            else 503 naming the problem.
//
// Environment: BUNDLES_ADDR (default ":8282"), BUNDLES_POLICY_DIR (default "/policy"), BUNDLES_ROOTS (comma-
// separated bundle roots, default "sea": the bundle owns data.sea). One log line per request on stdout.
package main

import (
	"log"
	"net/http"
	"os"
	"strings"
)

var version = "dev"

func main() {
	cfg := config{
		addr:      envOr("BUNDLES_ADDR", ":8282"),
		policyDir: envOr("BUNDLES_POLICY_DIR", "/policy"),
		roots:     strings.Split(envOr("BUNDLES_ROOTS", "sea"), ","),
	}
	log.SetFlags(log.LstdFlags | log.Lmicroseconds | log.LUTC)
	if b, err := buildBundle(cfg.policyDir, cfg.roots); err != nil {
		log.Printf("opa-bundles %s: WARNING: %v (serving 503 until it builds)", version, err)
	} else {
		log.Printf("opa-bundles %s: listening on %s, policy %s, revision %s (%d files)", version, cfg.addr,
			cfg.policyDir, b.revision, b.files)
	}
	server := &http.Server{Addr: cfg.addr, Handler: newHandler(cfg)}
	log.Fatal(server.ListenAndServe())
}

type config struct {
	addr, policyDir string
	roots           []string
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}
