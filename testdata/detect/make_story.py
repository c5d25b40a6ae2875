#!/usr/bin/env python3
"""Write story.ndjson: hand-made flows of a small attack story among benign traffic on
192.168.1.0/24 (gateway .1, attacker .100, victim .225, benign .10 .11 .20), sorted by end
time as fir ingest writes them. Deterministic: run it again to get the same file."""
import json
from datetime import datetime, timezone

T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=timezone.utc).timestamp()
flows = []
seq = 0

def iso(t):
    return datetime.fromtimestamp(T0 + t, tz=timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % round(((T0 + t) % 1) * 1000)

def add(at, dur=0.05, **f):
    global seq
    seq += 1
    r = {'kind': 'flow', 'start': iso(at), 'end': iso(at + dur)}
    r.update(f)
    r['id'] = 'story-%04d' % seq
    flows.append(r)

GW, ATT, VIC = '192.168.1.1', '192.168.1.100', '192.168.1.225'
BENIGN = ['192.168.1.10', '192.168.1.11', '192.168.1.20']
MACS = {'192.168.1.10': 'f0:1f:af:10:00:0a', '192.168.1.11': 'f0:1f:af:10:00:0b', '192.168.1.20': '18:66:da:20:00:14'}

# legitimate DHCP for the benign hosts
for i, h in enumerate(BENIGN):
    add(1 + i, 0.01, proto='udp', src=GW, sport=67, dst=h, dport=68, pkts=2, bytes=656, app='dhcp',
        dhcp={'msg': 'ACK', 'msgs': ['OFFER', 'ACK'], 'client_mac': MACS[h], 'yiaddr': h, 'server_id': GW, 'router': GW, 'dns_servers': [GW], 'lease_s': 3600})
# benign background: DNS to the gateway, web between benign hosts, one admin SSH login
for i in range(60):
    t = 5 + i * 5
    add(t, 0.002, proto='udp', src=BENIGN[i % 3], sport=40000 + i, dst=GW, dport=53, pkts=1, bytes=70, rpkts=1, rbytes=120, app='dns', dns={'qname': 'files.corp.lan', 'qtype': 'A', 'rcode': 'NOERROR'})
    add(t + 1, 0.02, proto='tcp', src='192.168.1.11', sport=45000 + i, dst='192.168.1.10', dport=80, pkts=6, bytes=520, rpkts=5, rbytes=1900, flags='APSF', rflags='APSF', state='SF', app='http')
add(40, 8, proto='tcp', src='192.168.1.11', sport=52000, dst='192.168.1.10', dport=22, pkts=48, bytes=7400, rpkts=40, rbytes=9100, flags='APSF', rflags='APSF', state='SF', app='ssh')
# rogue DHCP: the victim takes the attacker's lease (the gateway answers 3 s later)
add(20, 0.003, proto='udp', src=ATT, sport=67, dst=VIC, dport=68, pkts=2, bytes=656, app='dhcp',
    dhcp={'msg': 'ACK', 'msgs': ['OFFER', 'ACK'], 'client_mac': '3c:52:82:1a:7e:e1', 'yiaddr': VIC, 'server_id': ATT, 'router': GW, 'dns_servers': [ATT], 'lease_s': 43200})
add(23, 0.01, proto='udp', src=GW, sport=67, dst='192.168.1.57', dport=68, pkts=1, bytes=328, app='dhcp',
    dhcp={'msg': 'OFFER', 'msgs': ['OFFER'], 'client_mac': '3c:52:82:1a:7e:e1', 'yiaddr': '192.168.1.57', 'server_id': GW, 'router': GW, 'dns_servers': [GW]})
# the victim resolves through the attacker
for i in range(12):
    add(30 + i * 15, 0.002, proto='udp', src=VIC, sport=50000 + i, dst=ATT, dport=53, pkts=1, bytes=72, rpkts=1, rbytes=88, app='dns', dns={'qname': ['www.corp.lan', 'login.microsoftonline.com', 'intranet.corp.lan'][i % 3], 'qtype': 'A', 'rcode': 'NOERROR'})
# ARP scan of the segment
for h in range(1, 255):
    if h == 100:
        continue
    live = h in (1, 10, 11, 20, 225)
    add(60 + h * 0.02, 0.001 if live else 2, proto='arp', src=ATT, dst='192.168.1.%d' % h, pkts=1 if live else 3, bytes=28 if live else 84, rpkts=1 if live else 0, rbytes=28 if live else 0,
        arp={'op': 'request', 'sha': '00:0c:29:4f:8e:35', 'spa': ATT, 'tha': '00:00:00:00:00:00', 'tpa': '192.168.1.%d' % h})
# SYN scan of the gateway and the victim: 200 ports each
for p in range(1, 201):
    for dst in (GW, VIC):
        open_ = p in (22, 53, 80)
        if open_:
            add(90 + p * 0.01, 0.001, proto='tcp', src=ATT, sport=61000, dst=dst, dport=p, pkts=2, bytes=84, rpkts=1, rbytes=44, flags='RS', rflags='AS', state='RSTO')
        else:
            add(90 + p * 0.01, 0.001, proto='tcp', src=ATT, sport=61000, dst=dst, dport=p, pkts=1, bytes=44, rpkts=1, rbytes=40, flags='S', rflags='AR', state='REJ')
# SSH password guessing: 12 similar connections, then the interactive login that worked
for i in range(12):
    add(120 + (i // 4) * 6 + (i % 4) * 0.05, 5.2, proto='tcp', src=ATT, sport=41000 + i, dst=VIC, dport=22, pkts=31 + i % 3, bytes=4300 + (i % 4) * 52, rpkts=27, rbytes=4900, flags='APSF', rflags='APSF', state='SF', app='ssh')
add(150, 42, proto='tcp', src=ATT, sport=41500, dst=VIC, dport=22, pkts=310, bytes=24800, rpkts=290, rbytes=61000, flags='APSF', rflags='APSF', state='SF', app='ssh')

flows.sort(key=lambda r: (r['end'], r['id']))
with open('story.ndjson', 'w') as out:
    for r in flows:
        out.write(json.dumps(r, separators=(',', ':')) + '\n')
print(len(flows), 'flows')
