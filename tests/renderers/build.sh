#!/bin/sh
# Build the renderers driftui shells out to (helm, kustomize) into OUTDIR.
#
# Debian ships neither tool, so tests build the upstream commands from source, pinned by
# go.mod's `tool` directives (Go >= 1.24): these are the real upstream main packages,
# not re-implementations.
set -eu
if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
cd "$here"
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0
helm_version=$(go list -m -f '{{.Version}}' helm.sh/helm/v3)
go build -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$helm_version" \
    -o "$out/helm" helm.sh/helm/v3/cmd/helm
go build -trimpath -ldflags "-s -w" -o "$out/kustomize" sigs.k8s.io/kustomize/kustomize/v5
echo "built $out/helm ($helm_version) and $out/kustomize"
