// Pairing the two directions of a conversation, exported as two unidirectional records, into
// one biflow record (--biflow): same 5-tuple reversed, overlapping time; the originator is the
// side whose record starts first. Unpaired records are held, bounded, and then passed on as
// they are.
import type { Flow } from '../../record.js';
import { flagsByte, stableId } from './normalize.js';

const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const RST = 0x04;

/** Zeek's conn_state from the TCP flags of both directions (UDP/other: SF or S0 / OTH). */
export function zeekState(proto: number, flags: number, rflags: number, rpkts: number): string | undefined {
  if (proto === 17) return rpkts > 0 ? 'SF' : 'S0';
  if (proto !== 6) return 'OTH';
  if (!(flags & SYN)) return 'OTH';
  if (rpkts === 0) return 'S0';
  if (rflags & RST && !(rflags & SYN)) return 'REJ';
  if (flags & FIN && rflags & FIN) return 'SF';
  if (flags & RST) return 'RSTO';
  if (rflags & RST) return 'RSTR';
  if (!(rflags & SYN && rflags & ACK)) return 'OTH';
  if (flags & FIN) return 'S2';
  if (rflags & FIN) return 'S3';
  return 'S1';
}

const ICMP_CLASS: Record<string, number> = { '1/0': 8, '1/8': 8, '1/14': 13, '1/13': 13, '1/16': 15, '1/15': 15, '1/18': 17, '1/17': 17, '58/129': 128, '58/128': 128 };
const PROTO_NUM: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmp6: 58 };

function protoNum(p: string): number {
  return PROTO_NUM[p] ?? Number(p);
}

function dirKey(f: Flow, reverse: boolean): string {
  const a = reverse ? f.dst : f.src;
  const b = reverse ? f.src : f.dst;
  if (f.proto === 'icmp' || f.proto === 'icmp6') {
    const cls = ICMP_CLASS[`${protoNum(f.proto)}/${f.icmp_type}`] ?? `t${f.icmp_type}`;
    return `${f.proto}|${a}|${b}|${cls}`;
  }
  const pa = reverse ? f.dport : f.sport;
  const pb = reverse ? f.sport : f.dport;
  return `${f.proto}|${a}|${pa}|${b}|${pb}`;
}

interface Held {
  flow: Flow;
  key: string;
  startMs: number;
  endMs: number;
  arrived: number;
  done: boolean;
}

export interface PairerOptions {
  /** unpaired records held at most (then the oldest goes out unpaired) */
  maxHeld?: number;
  /** how far apart two directions' times may be and still count as overlapping, ms */
  slackMs?: number;
}

export class BiflowPairer {
  private readonly held = new Map<string, Held[]>();
  private queue: Held[] = [];
  private head = 0;
  private count = 0;
  private readonly maxHeld: number;
  private readonly slack: number;

  constructor(opts: PairerOptions = {}) {
    this.maxHeld = opts.maxHeld ?? 200_000;
    this.slack = opts.slackMs ?? 2000;
  }

  get size(): number {
    return this.count;
  }

  /** Add a record; returns the records that are ready (a pair, or old ones pushed out). */
  add(f: Flow, now = 0): Flow[] {
    // a record that already carries both directions passes straight on
    if (f.rpkts !== undefined || f.src === undefined || f.dst === undefined) return [f];
    const startMs = Date.parse(f.start);
    const endMs = Date.parse(f.end);
    const list = this.held.get(dirKey(f, true));
    if (list) {
      for (let i = 0; i < list.length; i++) {
        const h = list[i];
        if (h.startMs <= endMs + this.slack && startMs <= h.endMs + this.slack) {
          list.splice(i, 1);
          if (list.length === 0) this.held.delete(h.key);
          h.done = true;
          this.count--;
          return [merge(h.flow, h.startMs, f, startMs)];
        }
      }
    }
    const key = dirKey(f, false);
    const h: Held = { flow: f, key, startMs, endMs, arrived: now, done: false };
    const own = this.held.get(key);
    if (own) own.push(h);
    else this.held.set(key, [h]);
    this.queue.push(h);
    this.count++;
    const out: Flow[] = [];
    while (this.count > this.maxHeld) out.push(this.evictOldest()!);
    return out;
  }

  /** Records held since before `cutoff` (the `now` given to add), unpaired. */
  flushOlder(cutoff: number): Flow[] {
    const out: Flow[] = [];
    while (this.head < this.queue.length) {
      const h = this.queue[this.head];
      if (!h.done && h.arrived >= cutoff) break;
      if (!h.done) out.push(this.evictOldest()!);
      else this.head++;
    }
    this.compact();
    return out;
  }

  /** Everything still held, unpaired, in arrival order. */
  flush(): Flow[] {
    const out: Flow[] = [];
    for (let i = this.head; i < this.queue.length; i++) if (!this.queue[i].done) out.push(this.queue[i].flow);
    this.held.clear();
    this.queue = [];
    this.head = 0;
    this.count = 0;
    return out;
  }

  private evictOldest(): Flow | undefined {
    while (this.head < this.queue.length) {
      const h = this.queue[this.head++];
      if (h.done) continue;
      h.done = true;
      const list = this.held.get(h.key)!;
      list.splice(list.indexOf(h), 1);
      if (list.length === 0) this.held.delete(h.key);
      this.count--;
      this.compact();
      return h.flow;
    }
    return undefined;
  }

  private compact(): void {
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/** One record of two directions; the originator is the earlier start (ties: the SYN side, then the lower server port). */
export function merge(a: Flow, aStart: number, b: Flow, bStart: number): Flow {
  let o = a;
  let r = b;
  if (bStart < aStart) [o, r] = [b, a];
  else if (bStart === aStart) {
    const sa = (a.flags ?? '').includes('S') && !(a.flags ?? '').includes('A');
    const sb = (b.flags ?? '').includes('S') && !(b.flags ?? '').includes('A');
    if ((sb && !sa) || (sb === sa && (b.dport ?? 0) < (a.dport ?? 0) && (b.sport ?? 0) > (b.dport ?? 0))) [o, r] = [b, a];
  }
  const out = { kind: 'flow', start: o.start < r.start ? o.start : r.start, end: o.end > r.end ? o.end : r.end, proto: o.proto, src: o.src } as Flow;
  if (o.sport !== undefined) out.sport = o.sport;
  out.dst = o.dst;
  if (o.dport !== undefined) out.dport = o.dport;
  if (o.icmp_type !== undefined) out.icmp_type = o.icmp_type;
  if (o.icmp_code !== undefined) out.icmp_code = o.icmp_code;
  out.pkts = o.pkts;
  out.bytes = o.bytes;
  out.rpkts = r.pkts;
  out.rbytes = r.bytes;
  if (o.flags !== undefined) out.flags = o.flags;
  if (r.flags !== undefined) out.rflags = r.flags;
  const st = zeekState(protoNum(o.proto), o.flags ? flagsByte(o.flags) : 0, r.flags ? flagsByte(r.flags) : 0, r.pkts);
  if (st) out.state = st;
  for (const k of ['app', 'dns', 'dhcp'] as const) {
    const v = o[k] ?? r[k];
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  const smac = o.smac ?? r.dmac;
  const dmac = o.dmac ?? r.smac;
  if (smac !== undefined) out.smac = smac;
  if (dmac !== undefined) out.dmac = dmac;
  for (const k of ['vlan', 'community_id'] as const) {
    const v = o[k] ?? r[k];
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  }
  out.id = stableId(`${o.id}+${r.id}`);
  if (o.origin !== undefined) out.origin = o.origin;
  return out;
}

/** Batches of flows with the two directions paired when `on` (else passed through). */
export async function* pairBatches(batches: AsyncIterable<Flow[]>, on: boolean, opts: PairerOptions = {}): AsyncGenerator<Flow[]> {
  if (!on) {
    yield* batches;
    return;
  }
  const pairer = new BiflowPairer(opts);
  for await (const batch of batches) {
    const out: Flow[] = [];
    for (const f of batch) for (const g of pairer.add(f)) out.push(g);
    if (out.length) yield out;
  }
  const rest = pairer.flush();
  if (rest.length) yield rest;
}
