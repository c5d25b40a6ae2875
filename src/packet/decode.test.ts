import { describe, expect, it } from 'vitest';
import { decodeIp } from './ip.js';
import { decodeLink, ETH_ARP, ETH_IPV4, ETH_IPV6 } from './link.js';
import { Frag, Packet } from './packet.js';
import { decodeTransport, icmpPorts } from './transport.js';
import { decodeTunnel } from './tunnel.js';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((h) => parseInt(h, 16)));

// IPv4 10.0.0.1 -> 10.0.0.2, UDP 1234 -> 53, 4 bytes of payload
const IP4_UDP = hex('4500 0020 0001 0000 4011 0000 0a000001 0a000002  04d2 0035 000c 0000  deadbeef');
const ETH = (type: string) => hex(`020000000002 020000000001 ${type}`);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function decode(lt: number, frame: Uint8Array, p = new Packet()): Packet | undefined {
  if (!decodeLink(p, lt, frame, 0, frame.length)) return undefined;
  if (p.netType !== ETH_IPV4 && p.netType !== ETH_IPV6) return p;
  if (!decodeIp(p) || (p.frag !== Frag.Later && !decodeTransport(p))) return undefined;
  return p;
}

describe('link layers', () => {
  it('finds IPv4 behind every link type', () => {
    const cases: [number, Uint8Array][] = [
      [1, cat(ETH('0800'), IP4_UDP)],
      [1, cat(ETH('8100'), hex('0064 0800'), IP4_UDP)],
      [1, cat(ETH('88a8'), hex('00c8 8100 012c 0800'), IP4_UDP)],
      [1, cat(ETH('8847'), hex('00010040 00011140'), IP4_UDP)],
      [1, cat(ETH('8864'), hex('1100 0001 0022 0021'), IP4_UDP)],
      [101, IP4_UDP],
      [228, IP4_UDP],
      [0, cat(hex('02000000'), IP4_UDP)],
      [108, cat(hex('00000002'), IP4_UDP)],
      [113, cat(hex('0000 0001 0006 020000000001 0000 0800'), IP4_UDP)],
      [276, cat(hex('0800 0000 00000002 0001 00 06 020000000001 0000'), IP4_UDP)],
      [9, cat(hex('ff03 0021'), IP4_UDP)],
    ];
    for (const [lt, frame] of cases) {
      const p = decode(lt, frame);
      expect(p, `link type ${lt}`).toBeDefined();
      expect(p!.netType).toBe(ETH_IPV4);
      expect([p!.sport, p!.dport, p!.ipLen, p!.payLen]).toEqual([1234, 53, 32, 4]);
    }
  });

  it('keeps the outer VLAN and the MACs', () => {
    const p = decode(1, cat(ETH('88a8'), hex('00c8 8100 012c 0800'), IP4_UDP))!;
    expect(p.vlan).toBe(200);
    expect(p.smacOff).toBe(6);
    expect(p.dmacOff).toBe(0);
  });

  it('recognises ARP and refuses what is not IP', () => {
    expect(decode(1, cat(ETH('0806'), new Uint8Array(28)))!.netType).toBe(ETH_ARP);
    expect(decode(1, cat(ETH('88cc'), new Uint8Array(40)))).toBeUndefined(); // LLDP
    expect(decode(147, IP4_UDP)).toBeUndefined(); // a user link type
  });

  it('returns false, never throws, on frames cut anywhere', () => {
    const frames = [cat(ETH('8100'), hex('0064 0800'), IP4_UDP), cat(hex('0800 0000 00000002 0001 00 06 020000000001 0000'), IP4_UDP)];
    for (const [i, f] of frames.entries()) {
      for (let n = 0; n < f.length; n++) {
        const p = new Packet();
        expect(() => decode(i === 0 ? 1 : 276, f.subarray(0, n), p)).not.toThrow();
      }
    }
  });
});

describe('IP and transport', () => {
  it('walks IPv6 extension headers to TCP and reads the flags', () => {
    const tcp = hex('a410 01bb 00000001 00000000 5002 ffff 0000 0000');
    const hbh = hex('3c00 0104 00000000'); // next: destination options
    const dst = hex('0600 0104 00000000'); // next: TCP
    const ip6 = cat(hex(`6000 0000 ${(hbh.length + dst.length + tcp.length).toString(16).padStart(4, '0')} 00 40`), hex('20010db8000000000000000000000001 20010db8000000000000000000000002'), hbh, dst, tcp);
    const p = decode(101, ip6)!;
    expect([p.proto, p.sport, p.dport, p.tcpFlags, p.ipLen]).toEqual([6, 42000, 443, 0x02, 40 + 36]);
  });

  it('marks IPv4 fragments', () => {
    const first = hex('4500 0020 0007 2000 4011 0000 0a000001 0a000002  04d2 0035 000c 0000  deadbeef');
    const later = hex('4500 0018 0007 0001 4011 0000 0a000001 0a000002  cafebabe');
    expect(decode(101, first)!.frag).toBe(Frag.First);
    const p = decode(101, later)!;
    expect([p.frag, p.fragOff, p.fragId, p.l4Len]).toEqual([Frag.Later, 8, 7, 4]);
  });

  it('pairs ICMP requests and replies as Zeek does', () => {
    expect(icmpPorts(false, 8, 0)).toEqual([8, 0]);
    expect(icmpPorts(false, 0, 0)).toEqual([0, 8]);
    expect(icmpPorts(false, 3, 1)).toEqual([3, 1]);
    expect(icmpPorts(true, 128, 0)).toEqual([128, 129]);
    expect(icmpPorts(true, 1, 4)).toEqual([1, 4]);
  });
});

describe('tunnels', () => {
  it('decapsulates VXLAN, GRE and IP in IP', () => {
    const inner = cat(ETH('0800'), IP4_UDP);
    const udp = (dport: number, payload: Uint8Array) => {
      const len = 8 + payload.length;
      return cat(hex(`4500 ${(20 + len).toString(16).padStart(4, '0')} 0001 0000 4011 0000 c0a80001 c0a80002 3039 ${dport.toString(16).padStart(4, '0')} ${len.toString(16).padStart(4, '0')} 0000`), payload);
    };
    const vx = udp(4789, cat(hex('08000000 00000100'), inner));
    const gre = cat(hex(`4500 ${(20 + 4 + IP4_UDP.length).toString(16).padStart(4, '0')} 0001 0000 402f 0000 c0a80001 c0a80002 0000 0800`), IP4_UDP);
    const ipip = cat(hex(`4500 ${(20 + IP4_UDP.length).toString(16).padStart(4, '0')} 0001 0000 4004 0000 c0a80001 c0a80002`), IP4_UDP);
    for (const [name, outer] of [['vxlan', vx], ['gre', gre], ['ipip', ipip]] as const) {
      const p = decode(101, outer)!;
      const q = new Packet();
      expect(decodeTunnel(p, q), name).toBe(true);
      expect(decodeIp(q) && decodeTransport(q), name).toBe(true);
      expect([q.sport, q.dport], name).toEqual([1234, 53]);
    }
  });
});
