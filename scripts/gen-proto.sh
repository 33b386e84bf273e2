#!/usr/bin/env bash
# Regenerate lib/third_party/talos-proto/gen/ from lib/third_party/talos-proto/protos/ (run via `npm run proto`).
# Uses the npm @bufbuild/buf binary and the local ts-proto plugin; no network needed.
set -euo pipefail
cd "$(dirname "$0")/.."
# Drop stale stubs (a removed .proto must not leave its .ts behind) but keep README.md.
find lib/third_party/talos-proto/gen -name '*.ts' ! -name '*.test.ts' -delete 2>/dev/null || true
npx --no-install buf generate lib/third_party/talos-proto/protos --template lib/third_party/talos-proto/protos/buf.gen.yaml
