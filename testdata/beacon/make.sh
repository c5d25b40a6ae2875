#!/usr/bin/env bash
# Makes the BEACON fixtures of fir detect from real traffic: two network namespaces joined by a
# veth pair (fbcn_a 10.77.0.1 <-> fbcn_b 10.77.0.2, no other routes), `python3 -m http.server`
# in fbcn_b, and in fbcn_a
#   beacon.pcap  - a curl loop: PERIOD s +- JITTER s between requests for the same small file
#                  (a C2-style check-in), COUNT connections;
#   browse.pcap  - a person browsing: random gaps (0.3 s to 25 s, mostly short, now and then
#                  a long read), random pages of random sizes, sometimes several at once.
# Captured with tcpdump on the veth. Traffic never leaves the two namespaces; they are torn down
# on exit. Needs root, iproute2, tcpdump, curl, python3.
#   usage: testdata/beacon/make.sh [OUTDIR]   (default: the script's folder)
set -euo pipefail
OUT=$(cd "${1:-$(dirname "$0")}" && pwd)
COUNT=${COUNT:-30}
PERIOD=${PERIOD:-4}
JITTER=${JITTER:-0.8}
BROWSE_S=${BROWSE_S:-150}
SEED=${SEED:-7}
A=fbcn_a
B=fbcn_b
WEB=$(mktemp -d)
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  rm -rf "$WEB"
}
trap cleanup EXIT INT TERM

ip netns add "$A"
ip netns add "$B"
ip link add fbcn_va netns "$A" type veth peer name fbcn_vb netns "$B"
ip -n "$A" addr add 10.77.0.1/24 dev fbcn_va
ip -n "$B" addr add 10.77.0.2/24 dev fbcn_vb
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip -n "$A" link set fbcn_va up
ip -n "$B" link set fbcn_vb up

# the web root: a small check-in answer and pages of many sizes for the browsing
printf 'ok %s\n' "$(date -u +%s)" >"$WEB/task"
python3 - "$WEB" "$SEED" <<'EOF'
import os, random, sys
root, seed = sys.argv[1], int(sys.argv[2])
r = random.Random(seed)
for i in range(60):
    size = int(r.lognormvariate(9, 1.4))  # a few hundred bytes to a few hundred KB
    with open(os.path.join(root, f'page{i}.html'), 'wb') as f:
        f.write(os.urandom(min(size, 600_000)))
EOF
ip netns exec "$B" python3 -m http.server 8000 --bind 10.77.0.2 --directory "$WEB" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do ip netns exec "$A" curl -s -o /dev/null --max-time 1 http://10.77.0.2:8000/task && break; sleep 0.1; done

capture() { # NAME: start tcpdump on the veth in fbcn_a
  ip netns exec "$A" tcpdump -i fbcn_va -U -s 256 -w "$OUT/$1.pcap" 'tcp port 8000' >/dev/null 2>&1 &
  TCPDUMP=$!
  PIDS+=("$TCPDUMP")
  sleep 1
}
stop() { sleep 1; kill -INT "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null || true; }

# 1. the beacon: same request, PERIOD +- JITTER s apart
capture beacon
python3 - "$COUNT" "$PERIOD" "$JITTER" "$SEED" <<'EOF' | while read -r gap; do ip netns exec "$A" curl -s -o /dev/null -A 'Mozilla/5.0' http://10.77.0.2:8000/task; sleep "$gap"; done
import random, sys
n, p, j, seed = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
r = random.Random(seed)
for _ in range(n):
    print(f'{max(0.1, p + r.uniform(-j, j)):.3f}')
EOF
stop

# 2. a person browsing: bursts of page fetches, random reading times
capture browse
python3 - "$BROWSE_S" "$SEED" <<'EOF' | while read -r gap pages; do for pg in $pages; do ip netns exec "$A" curl -s -o /dev/null "http://10.77.0.2:8000/page$pg.html" & done; wait; sleep "$gap"; done
import random, sys
total, seed = float(sys.argv[1]), int(sys.argv[2])
r = random.Random(seed + 1)
t = 0.0
while t < total:
    gap = r.expovariate(1 / 4) if r.random() < 0.8 else r.uniform(10, 25)
    gap = max(0.3, min(gap, 25))
    pages = ' '.join(str(r.randrange(60)) for _ in range(r.choice([1, 1, 1, 2, 3, 5])))
    print(f'{gap:.3f} {pages}')
    t += gap
EOF
stop
ls -l "$OUT"/beacon.pcap "$OUT"/browse.pcap
