import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Packet } from '../packet/packet.js';
import { ByteWriter, DEFAULT_METER, FlowMeter, flowId, frameShard, isoCached, isoMs, putAscii, putInt, putIpv4, putMac } from './flowmeter.js';

/** An Ethernet/IPv4/UDP or TCP frame. */
function frame(src: number, dst: number, sport: number, dport: number, proto = 17, tcpFlags = 0, payload = 0): Uint8Array {
  const l4 = proto === 6 ? 20 : 8;
  const b = new Uint8Array(14 + 20 + l4 + payload);
  b.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0], 0);
  const ip = 14;
  b[ip] = 0x45;
  const total = 20 + l4 + payload;
  b[ip + 2] = total >> 8;
  b[ip + 3] = total & 255;
  b[ip + 8] = 64;
  b[ip + 9] = proto;
  for (let i = 0; i < 4; i++) {
    b[ip + 12 + i] = (src >>> (24 - 8 * i)) & 255;
    b[ip + 16 + i] = (dst >>> (24 - 8 * i)) & 255;
  }
  const t = ip + 20;
  b[t] = sport >> 8;
  b[t + 1] = sport & 255;
  b[t + 2] = dport >> 8;
  b[t + 3] = dport & 255;
  if (proto === 6) {
    b[t + 12] = 5 << 4;
    b[t + 13] = tcpFlags;
  } else {
    b[t + 4] = (8 + payload) >> 8;
    b[t + 5] = (8 + payload) & 255;
  }
  return b;
}

const A = 0x0a000001;
const B = 0x0a000002;

describe('FlowMeter', () => {
  it('joins both directions into one flow with per-direction counts', () => {
    const m = new FlowMeter('t.pcap');
    m.epoch = Date.UTC(2026, 10, 27, 10, 0, 0);
    const q = frame(A, B, 5000, 53, 17, 0, 30);
    const r = frame(B, A, 53, 5000, 17, 0, 80);
    m.packet(1, q, 0, q.length, 0, 1);
    m.packet(1, r, 0, r.length, 7, 2);
    const [f] = m.finish();
    expect(f).toMatchObject({ proto: 'udp', src: '10.0.0.1', sport: 5000, dst: '10.0.0.2', dport: 53, pkts: 1, bytes: 58, rpkts: 1, rbytes: 108, state: 'SF' });
    expect(f.start).toBe('2026-11-27T10:00:00.000Z');
    expect(f.end).toBe('2026-11-27T10:00:00.007Z');
  });

  it('writes flows as they time out, so memory follows the open flows', () => {
    const m = new FlowMeter('t.pcap', { ...DEFAULT_METER, udpIdleMs: 1000 });
    m.epoch = 0;
    let written = 0;
    let maxOpen = 0;
    for (let i = 0; i < 10_000; i++) {
      const pk = frame(A, B + i, 1024 + (i % 50_000), 9999);
      m.packet(1, pk, 0, pk.length, i * 10, i + 1);
      written += m.take().length;
      maxOpen = Math.max(maxOpen, m.stats.flows - written);
    }
    // one new flow every 10 ms and a 1 s timeout: about 100 open at any time
    expect(written).toBeGreaterThan(9_800);
    expect(maxOpen).toBeLessThan(150);
    expect(written + m.finish().length).toBe(10_000);
  });

  it('finds every open flow from either side as its table grows', () => {
    const m = new FlowMeter('t.pcap');
    m.epoch = 0;
    // 20,000 flows open at once (the table starts with 4,096 buckets), then an answer to each,
    // and ports that differ only in their high bits (a weak hash would pile them up)
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const pk = frame(A + (i >> 8), B, (i & 255) << 8, 7000);
      m.packet(1, pk, 0, pk.length, i, i + 1);
    }
    for (let i = n - 1; i >= 0; i--) {
      const pk = frame(B, A + (i >> 8), 7000, (i & 255) << 8, 17, 0, 4);
      m.packet(1, pk, 0, pk.length, n + i, 2 * n - i);
    }
    const flows = m.finish();
    expect(flows.length).toBe(n);
    expect(flows.every((f) => f.pkts === 1 && f.rpkts === 1 && f.rbytes === 32)).toBe(true);
    expect(m.stats.flows).toBe(n);
  });

  it('starts a new flow after the idle timeout and keeps TCP flags per direction', () => {
    const m = new FlowMeter('t.pcap');
    m.epoch = 0;
    const syn = frame(A, B, 40000, 22, 6, 0x02);
    const synack = frame(B, A, 22, 40000, 6, 0x12);
    m.packet(1, syn, 0, syn.length, 0, 1);
    m.packet(1, synack, 0, synack.length, 1, 2);
    m.packet(1, syn, 0, syn.length, 1 + DEFAULT_METER.tcpIdleMs + 1, 3);
    const flows = [...m.take(), ...m.finish()];
    expect(flows).toHaveLength(2);
    expect(flows[0]).toMatchObject({ flags: 'S', rflags: 'AS', state: 'S1' });
    expect(flows[1]).toMatchObject({ flags: 'S', state: 'S0', pkts: 1, rpkts: 0 });
  });

  it('survives frames that are cut anywhere', () => {
    const m = new FlowMeter('t.pcap');
    m.epoch = 0;
    const full = frame(A, B, 1, 2, 6, 0x18, 40);
    for (let n = 0; n <= full.length; n++) m.packet(1, full, 0, n, n, n + 1);
    for (const lt of [0, 1, 101, 105, 108, 113, 127, 239, 276, 9999]) m.packet(lt, full, 0, full.length, 100, 200);
    expect(m.finish().length).toBeGreaterThan(0);
  });
});

describe('isoMs and flowId', () => {
  it('formats times like Date.prototype.toISOString', () => {
    for (const t of [0, 951782400000, 1764324000030, 4102444799999, -86400001, 253402300799999]) expect(isoMs(t)).toBe(new Date(t).toISOString());
    expect(isoMs(Infinity)).toBe(new Date(8.64e15).toISOString());
  });

  it('gives the same text with the per-second cache (isoCached)', () => {
    const times = [0, 999, 1000, -1, -1000, -1001, 1764324000030, 1764324000999, 1764324001000, 1764324000030 + 256_000, 253402300799999, 253402300800000, -62167219200001, 8.64e15, -8.64e15, 8.64e15 - 1, -8.64e15 + 1, 1.5, NaN, Infinity];
    for (let i = 0; i < 2000; i++) times.push(1_700_000_000_000 + Math.floor(i * 7919.3) % 1_000_000);
    for (const t of [...times, ...times]) expect(isoCached(t), String(t)).toBe(isoMs(t));
  });

  it('gives the same id for the same origin, packet and depth', () => {
    expect(flowId('a.pcap', 1, 0)).toBe(flowId('a.pcap', 1, 0));
    expect(flowId('a.pcap', 1, 0)).not.toBe(flowId('a.pcap', 2, 0));
    expect(flowId('a.pcap', 1, 0)).not.toBe(flowId('a.pcap', 1, 1));
    expect(flowId('a.pcap', 1, 0)).not.toBe(flowId('b.pcap', 1, 0));
    expect(flowId('x', 7, 0)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('NDJSON text of flows', () => {
  /** Every packet of a classic little-endian µs pcap into the meter (times in ms after the first second). */
  function feed(m: FlowMeter, file: string): void {
    const b = readFileSync(file);
    const lt = b.readUInt32LE(20);
    let p = 24;
    for (let i = 1; p + 16 <= b.length; i++) {
      const sec = b.readUInt32LE(p);
      const usec = b.readUInt32LE(p + 4);
      const incl = b.readUInt32LE(p + 8);
      if (p + 16 + incl > b.length) break;
      m.packet(lt, b, p + 16, incl, m.relTime(sec * 1000 + Math.floor(usec / 1000)), i);
      p += 16 + incl;
    }
  }

  it('is JSON.stringify of the flow records, byte for byte (non-ASCII origin too)', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'testdata');
    const files = [join(root, 'lab', 'seed-story', 'capture.pcap'), join(root, 'lab', 'ipv6', 'capture.pcap'), join(root, 'pcap', 'encapsulations.pcap'), join(root, 'pcap', 'fragments.pcap'), join(root, 'pcap', 'tcp-states.pcap')].filter((f) => existsSync(f) && readFileSync(f).readUInt32LE(0) === 0xa1b2c3d4);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const origin = `ü/${file}`;
      const obj = new FlowMeter(origin);
      const txt = new FlowMeter(origin);
      txt.useText();
      feed(obj, file);
      feed(txt, file);
      const want = [...obj.take(), ...obj.finish()].map((r) => JSON.stringify(r) + '\n').join('');
      const got = txt.takeText() + txt.finishText();
      expect(got.length, file).toBeGreaterThan(0);
      expect(got, file).toBe(want);
    }
  });

  it('ByteWriter and the put functions write numbers as JSON does and text as UTF-8', () => {
    const w = new ByteWriter();
    const nums = [0, 7, 9, 10, 99, 100, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 53, -1, 1.5];
    w.reserve(4096);
    for (const n of nums) {
      w.n = putInt(w.buf, w.n, n);
      w.buf[w.n++] = 0x20;
    }
    w.n = putAscii(w.buf, w.n, 'plain');
    expect(w.take()).toBe(nums.join(' ') + ' plain');
    w.reserve(64);
    w.text('a"é→😀');
    w.n = putIpv4(w.buf, w.n, 0xc0a80001);
    w.buf[w.n++] = 0x20;
    w.n = putIpv4(w.buf, w.n, 0x0a00ff09);
    w.buf[w.n++] = 0x20;
    w.n = putMac(w.buf, w.n, 0x0002, 0xb3c4d5e6);
    expect(w.take()).toBe('a"é→😀192.168.0.1 10.0.255.9 00:02:b3:c4:d5:e6');
    expect(w.take()).toBe('');
    // growing keeps what was written
    for (let i = 0; i < 5000; i++) {
      w.reserve(8);
      w.n = putAscii(w.buf, w.n, 'abcdefgh');
    }
    expect(w.take()).toBe('abcdefgh'.repeat(5000));
  });
});

describe('frameShard', () => {
  // an IPv4/UDP header from a to b, as raw IP, in untagged Ethernet (the fast path) and in a VLAN tag
  const ip = (a: number[], b: number[]) => [0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, ...a, ...b, 0x30, 0x39, 0, 53, 0, 8, 0, 0];
  const eth = (type: number[], body: number[]) => new Uint8Array([...Array(12).fill(2), ...type, ...body]);
  const scratch = new Packet();
  const shard = (lt: number, f: Uint8Array, n: number) => frameShard(lt, f, 0, f.length, n, scratch);

  it('gives a pair of addresses one shard, either way round and whatever the link layer', () => {
    for (let i = 0; i < 200; i++) {
      const a = [10, 0, i >> 4, i & 15];
      const b = [192, 168, (i * 7) & 255, (i * 13) & 255];
      for (const n of [2, 3, 5]) {
        const want = shard(101, new Uint8Array(ip(a, b)), n);
        expect(want).toBeGreaterThanOrEqual(0);
        expect(want).toBeLessThan(n);
        expect(shard(1, eth([0x08, 0x00], ip(a, b)), n)).toBe(want);
        expect(shard(1, eth([0x08, 0x00], ip(b, a)), n)).toBe(want);
        expect(shard(1, eth([0x81, 0x00, 0, 7, 0x08, 0x00], ip(b, a)), n)).toBe(want);
      }
    }
  });

  it('spreads pairs over the shards, and sends ARP and cut headers to the first', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 64; i++) seen.add(shard(1, eth([0x08, 0x00], ip([10, 0, 0, i], [10, 0, 1, 1])), 4));
    expect(seen.size).toBe(4);
    expect(shard(1, eth([0x08, 0x06], Array(28).fill(1)), 4)).toBe(0);
    expect(shard(1, eth([0x08, 0x00], [0x45, 0, 0, 28]), 4)).toBe(0);
  });
});
