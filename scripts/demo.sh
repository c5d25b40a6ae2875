#!/usr/bin/env bash
# npm run demo: the analyst's main job on the capture shipped in testdata/ (the lab's seed story:
# a rogue DHCP server, DNS through the attacker, an ARP scan, port scans, SSH password guessing
# and the login that followed). Tables are forced so the demo reads the same in a pipe.
set -euo pipefail
cd "$(dirname "$0")/.."
fir() { node bin/fir "$@"; }
capture=testdata/lab/seed-story/capture.pcap
work=$(mktemp -d "${TMPDIR:-/tmp}/fir-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
[ -n "${NO_COLOR:-}" ] && say() { printf '\n$ %s\n' "$*"; }

say "fir ingest $capture > flows.ndjson"
fir ingest "$capture" > "$work/flows.ndjson"
echo "$(wc -l < "$work/flows.ndjson") flows"

say "fir detect < flows.ndjson | fir enrich --flows flows.ndjson | fir timeline --sort priority"
fir detect < "$work/flows.ndjson" | fir enrich --flows "$work/flows.ndjson" > "$work/events.ndjson"
fir timeline --sort priority --format table < "$work/events.ndjson"

say "fir timeline --story < events.ndjson"
fir timeline --story --format text < "$work/events.ndjson"

say "fir filter 'host 192.168.1.100' < flows.ndjson | fir flows --by dst --top 10"
fir filter 'host 192.168.1.100' < "$work/flows.ndjson" | fir flows --by dst --top 10 --format table

say "fir flows --host 192.168.1.100 --limit 15 < flows.ndjson"
fir flows --host 192.168.1.100 --limit 15 --format table < "$work/flows.ndjson"
