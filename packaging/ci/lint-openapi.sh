#!/usr/bin/env bash
# A second validator for the OpenAPI document (the suite's own is openapi-spec-validator):
# Redocly CLI from npm, its recommended rules as errors (packaging/ci/redocly.yaml).
# Exit 0 only when the document is clean. Installs Node.js and npm with apt when missing
# (as root), Redocly CLI into build/npm-tools.
set -euo pipefail
cd "$(dirname "$0")/../.."
REDOCLY_VERSION=2.77.0
if ! command -v npm >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "lint-openapi: npm is missing (apt-get install nodejs npm)" >&2; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
tools=build/npm-tools
if ! grep -qs "\"version\": \"$REDOCLY_VERSION\"" "$tools/node_modules/@redocly/cli/package.json"; then
  npm install --silent --no-audit --no-fund --prefix "$tools" "@redocly/cli@$REDOCLY_VERSION" >/dev/null
fi
REDOCLY_SUPPRESS_UPDATE_NOTICE=true REDOCLY_TELEMETRY=off \
  "$tools/node_modules/.bin/redocly" lint --config packaging/ci/redocly.yaml myssl_desktop/api/openapi.json
