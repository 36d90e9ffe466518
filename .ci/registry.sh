#!/usr/bin/env bash
# CI, OCI registry peers (sourced by .ci/run): Debian's docker-registry (distribution 2.8) and
# skopeo. The tests start and stop their own registry instances on free loopback ports with
# the configs in test/registry/ (anonymous, htpasswd, token with a test token server), so
# every run, local or CI, cleans up after itself; this script installs the binaries and makes
# their absence a failure rather than a skip.
if ! command -v docker-registry >/dev/null || ! command -v skopeo >/dev/null || ! command -v openssl >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends docker-registry skopeo openssl
  else
    echo "ci: docker-registry/skopeo/openssl missing and not root" >&2
    exit 1
  fi
fi
# The Debian package's own service is not wanted: the tests run theirs.
if command -v invoke-rc.d >/dev/null && [ "$(id -u)" = 0 ]; then
  invoke-rc.d docker-registry stop >/dev/null 2>&1 || true
fi
export VOUCH_REQUIRE_REGISTRY=1
