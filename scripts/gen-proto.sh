#!/usr/bin/env bash
# Regenerate lib/server/talos/gen/ from lib/server/talos/protos/ (run via `npm run proto`).
# Uses the npm @bufbuild/buf binary and the local ts-proto plugin; no network needed.
set -euo pipefail
cd "$(dirname "$0")/.."
# Drop stale stubs (a removed .proto must not leave its .ts behind) but keep README.md.
find lib/server/talos/gen -name '*.ts' ! -name '*.test.ts' -delete 2>/dev/null || true
npx --no-install buf generate lib/server/talos/protos --template lib/server/talos/protos/buf.gen.yaml
