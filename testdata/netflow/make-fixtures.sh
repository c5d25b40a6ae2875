#!/usr/bin/env bash
# make-fixtures.sh: re-create the NetFlow/IPFIX export captures of this folder from small.pcap.
# softflowd replays small.pcap to 127.0.0.1 inside a private network namespace (nothing leaves
# it) while dumpcap records the export datagrams on that namespace's loopback.
# Needs root, softflowd 1.1.0, dumpcap. small.pcap itself came from
#   python3 ../shared/bench/gen_pcap.py -o small.pcap -n 3000 -f 150 --snaplen 80 --duration 120
set -eu
cd "$(dirname "$0")"
NS=firnf$$; T=$(mktemp -d)
ip netns add "$NS"; ip -n "$NS" link set lo up
trap 'for p in $(ip netns pids "$NS"); do kill -TERM "$p" 2>/dev/null; done; ip netns del "$NS"; rm -rf "$T"' EXIT
export_one() { # NAME SOFTFLOWD-ARGS...
  local name=$1; shift
  ip netns exec "$NS" dumpcap -q -i lo -f 'udp port 9995' -w "$T/$name.pcapng" >/dev/null 2>&1 &
  local dpid=$!; sleep 1.5
  ip netns exec "$NS" timeout 60 softflowd -r small.pcap -n 127.0.0.1:9995 -d -a -p "$T/sf.pid" -c "$T/sf.ctl" "$@" >/dev/null 2>&1 &
  local spid=$!; sleep 0.3
  for _ in $(seq 100); do kill -0 $spid 2>/dev/null || break; timeout 5 softflowctl -c "$T/sf.ctl" statistics >/dev/null 2>&1 || true; sleep 0.2; done
  wait $spid || true; sleep 0.5; kill -TERM $dpid; wait $dpid || true
  # classic pcap, Ethernet link type, so the fixture is the common case
  editcap -F pcap "$T/$name.pcapng" "$name.pcap"
}
export_one export-v5 -v 5
export_one export-v9 -v 9
export_one export-ipfix -v 10
export_one export-ipfix-biflow -v 10 -b
export_one export-ipfix-ms -v 10 -A milli
# damaged-export.pcap: export-ipfix.pcap with packet 2 (set length) and packet 4 (message length) broken and the last packet cut, by hand (python, see the test)
editcap -F pcapng export-v9.pcap export-v9.pcapng  # the same datagrams in pcapng
