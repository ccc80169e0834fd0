#!/bin/sh
# Runs one libFuzzer target for SECONDS (default 600), with its corpus in Fuzz/corpus/TARGET seeded from
# Fuzz/Seeds/TARGET; a crashing input is saved as Fuzz/crashes/TARGET-crash-<sha1>. docs/FUZZING.md.
#   ./fuzz.sh FuzzCSV 600          (from Fuzz/; builds first)
#   BUILD=no ./fuzz.sh FuzzCSV 60  (reuse the last build); MAX_LEN=20480 caps inputs (default 64 KiB)
set -eu
target=${1:?usage: fuzz.sh TARGET [SECONDS]}
seconds=${2:-600}
cd "$(dirname "$0")"
if [ "${BUILD:-yes}" != no ]; then
    swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld \
        --product "$target"
fi
mkdir -p "corpus/$target" crashes
exec ".build/release/$target" "corpus/$target" "Seeds/$target" -max_total_time="$seconds" -max_len="${MAX_LEN:-65536}" \
    -timeout=20 -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="crashes/$target-"
