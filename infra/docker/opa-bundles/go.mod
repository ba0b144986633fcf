// opa-bundles: serves infra/opa/policy as an OPA bundle over HTTP (see main.go). Standard library only.
module github.com/sea-platform/sea-chaos/infra/docker/opa-bundles

go 1.26.0
