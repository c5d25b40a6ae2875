#!/usr/bin/env python3
"""Make the small odd-case captures of testdata/pcap/ (deterministic: run it again, get the same bytes).

    python3 testdata/pcap/make.py [OUTDIR]

Every capture is hand-built from the packets below, so each file tests one thing: byte order,
time resolution, pcapng structure, link type, encapsulation, fragments, or a kind of damage.
"""
import gzip
import os
import struct
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
T0 = 1764324000  # 2025-11-28T10:00:00Z

MAC_A = bytes.fromhex('020000000001')
MAC_B = bytes.fromhex('020000000002')
BCAST = b'\xff' * 6


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip4(src, dst):
    return bytes(int(x) for x in src.split('.')), bytes(int(x) for x in dst.split('.'))


def ipv4(src, dst, proto, payload, ident=1, frag=0, mf=False, total=None):
    s, d = ip4(src, dst)
    tl = total if total is not None else 20 + len(payload)
    fo = (frag >> 3) | (0x2000 if mf else 0)
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, tl, ident, fo, 64, proto, 0, s, d)
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload):
    import ipaddress
    s = ipaddress.IPv6Address(src).packed
    d = ipaddress.IPv6Address(dst).packed
    return struct.pack('!IHBB', 6 << 28, len(payload), nh, 64) + s + d + payload


def tcp(sport, dport, flags, seq=1000, ack=0, data=b''):
    fl = 0
    for c, bit in zip('FSRPAUEC', (1, 2, 4, 8, 16, 32, 64, 128)):
        if c in flags:
            fl |= bit
    return struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, fl, 65535, 0, 0) + data


def udp(sport, dport, data):
    return struct.pack('!HHHH', sport, dport, 8 + len(data), 0) + data


def icmp(t, c, data=b'abcdefgh'):
    return struct.pack('!BBHHH', t, c, 0, 0x1234, 1) + data


def eth(dst, src, etype, payload):
    return dst + src + struct.pack('!H', etype) + payload


def dns_query(qid, name, qtype=1, response=False, answer_ip=None):
    flags = 0x8180 if response else 0x0100
    q = b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\0' + struct.pack('!HH', qtype, 1)
    an = b''
    if response and answer_ip:
        an = b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 300, 4) + bytes(int(x) for x in answer_ip.split('.'))
    return struct.pack('!HHHHHH', qid, flags, 1, 1 if an else 0, 0, 0) + q + an


def arp(op, sha, spa, tha, tpa):
    s, t = ip4(spa, tpa)
    return struct.pack('!HHBBH', 1, 0x0800, 6, 4, op) + sha + s + tha + t


C, S = '192.168.1.10', '192.168.1.20'


def conversation():
    """(seconds offset, Ethernet frame): TCP SF, UDP DNS, ICMP echo, ARP."""
    pk = []
    t = 0.0

    def add(frame, dt=0.01):
        nonlocal t
        t += dt
        pk.append((t, frame))

    a2b = lambda p: eth(MAC_B, MAC_A, 0x0800, p)
    b2a = lambda p: eth(MAC_A, MAC_B, 0x0800, p)
    add(eth(BCAST, MAC_A, 0x0806, arp(1, MAC_A, C, b'\0' * 6, S)))
    add(eth(MAC_A, MAC_B, 0x0806, arp(2, MAC_B, S, MAC_A, C)))
    add(a2b(ipv4(C, S, 6, tcp(40000, 22, 'S', seq=100))))
    add(b2a(ipv4(S, C, 6, tcp(22, 40000, 'SA', seq=500, ack=101))))
    add(a2b(ipv4(C, S, 6, tcp(40000, 22, 'A', seq=101, ack=501))))
    add(b2a(ipv4(S, C, 6, tcp(22, 40000, 'PA', seq=501, ack=101, data=b'SSH-2.0-OpenSSH_9.6\r\n'))))
    add(a2b(ipv4(C, S, 6, tcp(40000, 22, 'PA', seq=101, ack=522, data=b'SSH-2.0-fir-test\r\n'))))
    add(a2b(ipv4(C, S, 6, tcp(40000, 22, 'FA', seq=119, ack=522))))
    add(b2a(ipv4(S, C, 6, tcp(22, 40000, 'FA', seq=522, ack=120))))
    add(a2b(ipv4(C, S, 6, tcp(40000, 22, 'A', seq=120, ack=523))))
    add(a2b(ipv4(C, '192.168.1.1', 17, udp(53000, 53, dns_query(7, 'example.org')))))
    add(eth(MAC_A, MAC_B, 0x0800, ipv4('192.168.1.1', C, 17, udp(53, 53000, dns_query(7, 'example.org', response=True, answer_ip='93.184.216.34')))))
    add(a2b(ipv4(C, S, 1, icmp(8, 0))))
    add(b2a(ipv4(S, C, 1, icmp(0, 0))))
    return pk


def tcp_states():
    """REJ, S0 retried, RSTO, and a port reused after a close (two flows)."""
    pk = []
    a2b = lambda p: eth(MAC_B, MAC_A, 0x0800, p)
    b2a = lambda p: eth(MAC_A, MAC_B, 0x0800, p)
    pk.append((0.0, a2b(ipv4(C, S, 6, tcp(40001, 23, 'S')))))
    pk.append((0.001, b2a(ipv4(S, C, 6, tcp(23, 40001, 'RA', ack=1001)))))
    pk.append((0.1, a2b(ipv4(C, S, 6, tcp(40002, 8080, 'S')))))
    pk.append((1.1, a2b(ipv4(C, S, 6, tcp(40002, 8080, 'S')))))
    pk.append((1.2, a2b(ipv4(C, S, 6, tcp(40003, 80, 'S', seq=1)))))
    pk.append((1.21, b2a(ipv4(S, C, 6, tcp(80, 40003, 'SA', seq=9, ack=2)))))
    pk.append((1.22, a2b(ipv4(C, S, 6, tcp(40003, 80, 'A', seq=2, ack=10)))))
    pk.append((1.23, a2b(ipv4(C, S, 6, tcp(40003, 80, 'RA', seq=2, ack=10)))))
    for i, base in enumerate((2.0, 3.0)):
        pk.append((base, a2b(ipv4(C, S, 6, tcp(40004, 80, 'S', seq=10 + i * 1000)))))
        pk.append((base + 0.01, b2a(ipv4(S, C, 6, tcp(80, 40004, 'SA', seq=70, ack=11 + i * 1000)))))
        pk.append((base + 0.02, a2b(ipv4(C, S, 6, tcp(40004, 80, 'FA', seq=11 + i * 1000, ack=71)))))
        pk.append((base + 0.03, b2a(ipv4(S, C, 6, tcp(80, 40004, 'FA', seq=71, ack=12 + i * 1000)))))
        pk.append((base + 0.04, a2b(ipv4(C, S, 6, tcp(40004, 80, 'A', seq=12 + i * 1000, ack=72)))))
    return pk


def fragments():
    """A UDP datagram in three IPv4 fragments (one later fragment before the first), and IPv6
    TCP behind hop-by-hop and destination options headers, and an IPv6 fragmented UDP datagram."""
    body = udp(5000, 6000, bytes(range(256)) * 4)  # 1032 bytes
    f1 = ipv4(C, S, 17, body[:512], ident=77, frag=0, mf=True)
    f2 = ipv4(C, S, 17, body[512:1024], ident=77, frag=512, mf=True)
    f3 = ipv4(C, S, 17, body[1024:], ident=77, frag=1024, mf=False)
    pk = [(0.0, eth(MAC_B, MAC_A, 0x0800, f2)), (0.001, eth(MAC_B, MAC_A, 0x0800, f1)), (0.002, eth(MAC_B, MAC_A, 0x0800, f3))]
    hbh = struct.pack('!BB', 60, 0) + b'\x01\x04\0\0\0\0'   # next: dest opts; PadN
    dst = struct.pack('!BB', 6, 0) + b'\x01\x04\0\0\0\0'    # next: TCP
    seg = tcp(41000, 443, 'S')
    pk.append((0.01, eth(MAC_B, MAC_A, 0x86dd, ipv6('2001:db8::1', '2001:db8::2', 0, hbh + dst + seg))))
    pk.append((0.02, eth(MAC_A, MAC_B, 0x86dd, ipv6('2001:db8::2', '2001:db8::1', 6, tcp(443, 41000, 'SA', seq=1, ack=1001)))))
    u = udp(7000, 7001, b'x' * 100)
    fr1 = struct.pack('!BBHI', 17, 0, 0 | 1, 0xabc) + u[:64]
    fr2 = struct.pack('!BBHI', 17, 0, 64, 0xabc) + u[64:]
    pk.append((0.03, eth(MAC_B, MAC_A, 0x86dd, ipv6('2001:db8::1', '2001:db8::3', 44, fr1))))
    pk.append((0.04, eth(MAC_B, MAC_A, 0x86dd, ipv6('2001:db8::1', '2001:db8::3', 44, fr2))))
    return pk


def encapsulations():
    """802.1Q, QinQ, MPLS, PPPoE and LLC/SNAP around the same kind of UDP packet."""
    p = ipv4(C, S, 17, udp(1111, 2222, b'hello'))
    q = ipv4(C, S, 17, udp(1112, 2222, b'hello'))
    m = ipv4(C, S, 17, udp(1113, 2222, b'hello'))
    dot1q = MAC_B + MAC_A + struct.pack('!HHH', 0x8100, 100, 0x0800) + p
    qinq = MAC_B + MAC_A + struct.pack('!HHHHH', 0x88a8, 200, 0x8100, 300, 0x0800) + q
    mpls = MAC_B + MAC_A + struct.pack('!H', 0x8847) + struct.pack('!I', (16 << 12) | 64) + struct.pack('!I', (17 << 12) | 0x100 | 64) + m
    pppoe = MAC_B + MAC_A + struct.pack('!HBBHHH', 0x8864, 0x11, 0, 1, 2 + len(p), 0x0021) + ipv4(C, S, 17, udp(1114, 2222, b'hello'))
    snap = MAC_B + MAC_A + struct.pack('!H', 8 + 28 + 5) + b'\xaa\xaa\x03\x00\x00\x00\x08\x00' + ipv4(C, S, 17, udp(1115, 2222, b'hello'))
    return [(0.0, dot1q), (0.1, qinq), (0.2, mpls), (0.3, pppoe), (0.4, snap)]


def sctp():
    init = struct.pack('!HHII', 3868, 3868, 0, 0) + struct.pack('!BBH', 1, 0, 20) + b'\0' * 16
    ack = struct.pack('!HHII', 3868, 3868, 1, 0) + struct.pack('!BBH', 2, 0, 20) + b'\0' * 16
    return [(0.0, eth(MAC_B, MAC_A, 0x0800, ipv4(C, S, 132, init))), (0.01, eth(MAC_A, MAC_B, 0x0800, ipv4(S, C, 132, ack)))]


# --- containers ---

def pcap(packets, linktype=1, le=True, nano=False, snaplen=65535, cut=None):
    e = '<' if le else '>'
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    out = struct.pack(e + 'IHHiIII', magic, 2, 4, 0, 0, snaplen, linktype)
    for t, data in packets:
        sec = T0 + int(t)
        frac = round((t - int(t)) * (1e9 if nano else 1e6))
        incl = data[:cut] if cut else data
        out += struct.pack(e + 'IIII', sec, frac, len(incl), len(data)) + incl
    return out


def block(e, btype, body):
    body += b'\0' * ((4 - len(body) % 4) % 4)
    n = 12 + len(body)
    return struct.pack(e + 'II', btype, n) + body + struct.pack(e + 'I', n)


def opt(e, code, value):
    pad = b'\0' * ((4 - len(value) % 4) % 4)
    return struct.pack(e + 'HH', code, len(value)) + value + pad


def pcapng(sections):
    """sections: list of (le, interfaces [(linktype, tsresol or None)], packets [(kind, ifid, t, frame)])."""
    out = b''
    for le, ifaces, packets in sections:
        e = '<' if le else '>'
        out += block(e, 0x0A0D0D0A, struct.pack(e + 'IHHq', 0x1A2B3C4D, 1, 0, -1))
        for lt, res in ifaces:
            opts = (opt(e, 9, bytes([res])) + opt(e, 0, b'')) if res is not None else b''
            out += block(e, 1, struct.pack(e + 'HHI', lt, 0, 65535) + opts)
        out += block(e, 4, b'\0\0\0\0')  # an empty name resolution block, to be skipped
        for kind, ifid, t, frame in packets:
            res = ifaces[ifid][1]
            units = 10 ** (res if res is not None else 6)
            ts = round((T0 + t) * units)
            if kind == 'epb':
                out += block(e, 6, struct.pack(e + 'IIIII', ifid, ts >> 32, ts & 0xffffffff, len(frame), len(frame)) + frame)
            elif kind == 'opb':
                out += block(e, 2, struct.pack(e + 'HHIIII', ifid, 0, ts >> 32, ts & 0xffffffff, len(frame), len(frame)) + frame)
            else:
                out += block(e, 3, struct.pack(e + 'I', len(frame)) + frame)
    return out


def sll(frame, pkttype=0):
    """Linux cooked v1 from an Ethernet frame."""
    return struct.pack('!HHH', pkttype, 1, 6) + frame[6:12] + b'\0\0' + frame[12:14] + frame[14:]


def sll2(frame, pkttype=0):
    return struct.pack('!HHIHBB', int.from_bytes(frame[12:14], 'big'), 0, 2, 1, pkttype, 6) + frame[6:12] + b'\0\0' + frame[14:]


def write(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def main():
    conv = conversation()
    write('le-usec.pcap', pcap(conv))
    write('be-nsec.pcap', pcap(conv, le=False, nano=True))
    with open(os.path.join(OUT, 'le-usec.pcap.gz'), 'wb') as f:
        # mtime 0 keeps the bytes the same run after run
        f.write(gzip.compress(pcap(conv), mtime=0))
    write('tcp-states.pcap', pcap(tcp_states()))
    write('fragments.pcap', pcap(fragments()))
    write('encapsulations.pcap', pcap(encapsulations()))
    write('sctp.pcap', pcap(sctp()))
    ip_only = [(t, f[14:]) for t, f in conv if f[12:14] == b'\x08\x00']
    write('raw.pcap', pcap(ip_only, linktype=101))
    write('null.pcap', pcap([(t, struct.pack('<I', 2) + p) for t, p in ip_only], linktype=0))
    write('loop.pcap', pcap([(t, struct.pack('>I', 2) + p) for t, p in ip_only], linktype=108))
    write('sll.pcap', pcap([(t, sll(f)) for t, f in conv], linktype=113))
    write('sll2.pcap', pcap([(t, sll2(f)) for t, f in conv], linktype=276))
    # pcapng: section 1 little-endian with an Ethernet (µs) and a raw-IP (ns) interface; section 2
    # big-endian with a Linux cooked interface; EPB, OPB and SPB
    s1 = [('epb', 0, t, f) for t, f in conv[:8]] + [('opb', 1, t + 0.5, p) for t, p in ip_only[:2]]
    s2 = [('epb', 0, 10 + t, sll(f)) for t, f in conv[8:]] + [('spb', 0, 0, sll(conv[-1][1]))]
    write('multi.pcapng', pcapng([(True, [(1, None), (101, 9)], s1), (False, [(113, 6)], s2)]))
    # damage
    good = pcap(conv)
    write('truncated.pcap', good[:-30])
    write('snaplen.pcap', pcap(conv, snaplen=64, cut=64))
    recs = pcap(conv[:4])
    bogus = bytearray(pcap(conv))
    # the 5th record's captured length: header 24 + 4 records before it
    off = len(recs)
    bogus[off + 8:off + 12] = struct.pack('<I', 0x7ffffff0)
    write('bogus-length.pcap', bytes(bogus))
    write('garbage-after-header.pcap', good[:24] + bytes((i * 37 + 11) & 0xff for i in range(301)) + good[24:])
    write('header-only.pcap', good[:24])
    write('not-a-capture.pcap', b'this is not a capture file\n')


if __name__ == '__main__':
    main()
