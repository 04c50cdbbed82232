#!/usr/bin/env bash
# Builds @confluentinc/kafka-javascript into test/clients/ckjs/node_modules for the KIP-848 tests
# (`// requires: ckjs`). Not part of `npm ci`: it compiles librdkafka, about two minutes on 2 cores.
#
# The npm tarball carries librdkafka's source (deps/librdkafka, 2.15.1, which has the KIP-848
# consumer protocol). Its default static build runs librdkafka's `./configure --install-deps
# --source-deps-only`, which downloads OpenSSL, zlib, zstd... sources and so fails without the
# internet; CKJS_LINKING=dynamic runs a plain `./configure` against the system's dev packages
# instead (libssl-dev and zlib1g-dev; zstd, lz4, sasl, curl are optional and left out when absent)
# and links the addon to the librdkafka.so it built, through RUNPATH $ORIGIN/../deps, not to
# Debian's older librdkafka1. Building from source also skips node-pre-gyp's binary download.
#
# Does nothing when a working build is already there. Exits non-zero when the build fails, with
# the end of the build log.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/test/clients/ckjs"
log="$root/.tmp/ckjs-install.log"
mkdir -p "$root/.tmp"

# Prints librdkafka's version as the addon loads it; fails when the addon is missing or broken.
loaded_version() {
  (cd "$dir" && node -e "process.stdout.write(require('@confluentinc/kafka-javascript').librdkafkaVersion)") 2>/dev/null
}
# KIP-848's consumer protocol is GA in librdkafka 2.10.
recent_enough() {
  node -e "const [a, b] = process.argv[1].split('.').map(Number); process.exit(a > 2 || (a === 2 && b >= 10) ? 0 : 1)" "$1"
}

if v="$(loaded_version)" && recent_enough "$v"; then
  echo "install-ckjs: @confluentinc/kafka-javascript already built (librdkafka $v)"
  exit 0
fi

for pc in libssl zlib; do
  pkg-config --exists "$pc" || echo "install-ckjs: note: no $pc dev package; librdkafka is built without it"
done

start=$(date +%s)
echo "install-ckjs: building @confluentinc/kafka-javascript with its bundled librdkafka (log: $log)"
if ! (cd "$dir" && CKJS_LINKING=dynamic BUILD_LIBRDKAFKA=1 npm_config_build_from_source=true \
      npm ci --no-audit --no-fund --foreground-scripts) >"$log" 2>&1; then
  tail -n 40 "$log"
  echo "install-ckjs: build failed after $(( $(date +%s) - start )) s" >&2
  exit 1
fi

if ! v="$(loaded_version)"; then
  tail -n 20 "$log"
  echo "install-ckjs: built, but the addon does not load" >&2
  exit 1
fi
if ! recent_enough "$v"; then
  echo "install-ckjs: the addon loads librdkafka $v, older than 2.10 (no KIP-848 consumer protocol)" >&2
  exit 1
fi
echo "install-ckjs: built in $(( $(date +%s) - start )) s, librdkafka $v"
