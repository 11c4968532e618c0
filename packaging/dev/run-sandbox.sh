#!/usr/bin/env bash
# Set up (see setup.sh), then start the app on the embedded sandbox with demo data.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash packaging/dev/setup.sh
exec .venv/bin/myssl-desktop --sandbox "$@"
