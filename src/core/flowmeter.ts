// The flow meter: turns decoded packets into bidirectional flow records (fir.md "Flow").
//
// Speed: the flow table is a Map keyed by a 30-bit numeric hash of the 5-tuple computed from
// the packet bytes, symmetric in the two endpoints, with collision chains checked against the
// raw address words; strings are made only when a flow is written. Flows sit on intrusive
// lists ordered by expiry time (one list per timeout), so expiring is a look at list heads.
//
// Semantics follow Zeek where the contract allows: per-direction packets and IP bytes, Zeek's
// TCP endpoint state machine and conn_state vocabulary, Zeek's timeouts (inactivity 5 min for
// TCP, 1 min for UDP and ICMP, 5 s for unanswered SYNs and after a close), IPv4/IPv6
// fragments counted as the reassembled datagram, ICMP request/reply pairs as one flow. The originator is always the sender of the first packet (Zeek sometimes flips).
import { putDigits, putRun, run, runOfBytes, type Run } from '../bytes.js';
import { formatIPv4, formatIPv6Words } from '../net.js';
import type { ArpInfo, Flow } from '../record.js';
import { decodeArp } from '../packet/app/arp.js';
import { putCommunityId } from '../packet/app/community-id.js';
import { appFromPort, inspectPayload, mergeApp, type AppInfo, type PayloadContext } from '../packet/app/index.js';
import { decodeIp } from '../packet/ip.js';
import { decodeLink, ETH_ARP, ETH_IPV4, ETH_IPV6 } from '../packet/link.js';
import { Frag, Packet } from '../packet/packet.js';
import { decodeTransport, icmpPorts, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP } from '../packet/transport.js';
import { decodeTunnel } from '../packet/tunnel.js';

export interface MeterOptions {
  /** inactivity timeouts, ms */
  tcpIdleMs: number;
  udpIdleMs: number;
  /** UDP DNS (ports 53, 5353, 5355): Zeek's dns_session_timeout */
  dnsIdleMs: number;
  otherIdleMs: number;
  /** a flow longer than this is cut and continued in a new record, ms */
  activeMs: number;
  /** open flows kept at most; beyond, the flow nearest to its timeout is written early (floods) */
  maxOpen?: number;
  /** decapsulate tunnels (GRE, IP-in-IP, VXLAN, Geneve, Teredo, GTP-U) into inner flows */
  tunnels: boolean;
}

/** Zeek's defaults (tcp_inactivity_timeout, udp_/icmp_inactivity_timeout) and a 30 min active timeout. */
export const DEFAULT_METER: MeterOptions = {
  tcpIdleMs: 300_000,
  udpIdleMs: 60_000,
  dnsIdleMs: 10_000,
  otherIdleMs: 60_000,
  activeMs: 1_800_000,
  tunnels: true,
};

/** Zeek: tcp_attempt_delay, tcp_close_delay (= tcp_reset_delay). */
const ATTEMPT_MS = 5_000;
const CLOSE_MS = 5_000;
/** unfinished fragment sets are dropped after this long (Zeek: frag_timeout-like) */
const FRAG_MS = 60_000;
const MAX_FRAGS = 65_536;
/** payload-carrying packets per direction shown to the application decoders */
const APP_PKTS = 4;
const MAX_TUNNEL_DEPTH = 3;
/** about 600 MB of flow state */
export const DEFAULT_MAX_OPEN = 1_000_000;

// Zeek's TCP endpoint states
const INACTIVE = 0;
const SYN_SENT = 1;
const SYN_ACK_SENT = 2;
const PARTIAL = 3;
const ESTABLISHED = 4;
const CLOSED = 5;
const RESET = 6;

// timeout lists
const L_TCP = 0;
const L_IDLE = 1;
const L_ATTEMPT = 2;
const L_CLOSE = 3;
const L_DNS = 4;
const NLISTS = 5;

const FLAG_LETTERS: string[] = (() => {
  const out: string[] = [];
  const letters = 'CEUAPRSF';
  for (let m = 0; m < 256; m++) {
    let s = '';
    for (let i = 0; i < 8; i++) if (m & (0x80 >> i)) s += letters[i];
    out.push(s);
  }
  return out;
})();

const NO_BYTES = new Uint8Array(0);

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

class FlowState {
  hnext: FlowState | null = null;
  lprev: FlowState | null = null;
  lnext: FlowState | null = null;
  list = -1;
  key = 0;
  deadline = 0;
  /** the deadline when the flow was queued: lists are ordered by it (see touch) */
  qdl = 0;
  v6 = false;
  proto = 0;
  a0 = 0; a1 = 0; a2 = 0; a3 = 0;
  b0 = 0; b1 = 0; b2 = 0; b3 = 0;
  sport = 0;
  dport = 0;
  icmpType = -1;
  icmpCode = -1;
  first = 0;
  last = 0;
  idx = 0;
  depth = 0;
  pkts = 0;
  bytes = 0;
  rpkts = 0;
  rbytes = 0;
  flags = 0;
  rflags = 0;
  // TCP (Zeek endpoint model)
  os = INACTIVE;
  rs = INACTIVE;
  osPrev = INACTIVE;
  rsPrev = INACTIVE;
  oClosed = false;
  rClosed = false;
  oSize = 0;
  rSize = 0;
  /** the originator's initial sequence number (of its SYN, or one before its first segment), signed 32-bit */
  oSeq = 0;
  /** history starts with an originator SYN and no H/A/F/I/Q from the originator before its RST */
  rstos0 = 0; // 0 undecided, 1 pattern holds so far, 2 broken, 3 matched
  // a MAC address as its high 16 bits and its low 32 bits, these signed (integers that V8 keeps
  // unboxed, as it does oSeq)
  smacHi = -1;
  smacLo = 0;
  dmacHi = -1;
  dmacLo = 0;
  vlan = -1;
  app: AppInfo | undefined = undefined;
  appO = 0;
  appR = 0;
  arpKey = '';
  arp: ArpInfo | undefined = undefined;
}

interface FragEntry {
  flow: FlowState | null;
  fwd: boolean;
  /** bytes of later fragments that came before the first one */
  pending: number;
  exp: number;
}

/** PROTO_KIND: a protocol whose flows have ports (TCP, UDP, SCTP) */
const K_PORTS = 1;
/** PROTO_KIND: ICMP or ICMPv6 */
const K_ICMP = 2;
/**
 * The kind of each IP protocol number, looked up as PROTO_KIND[proto & 255] (ARP's -1 is 255,
 * of no kind). A table rather than chains of comparisons: V8 optimises a comparison with what it
 * has seen, and a protocol met for the first time after that (the first UDP flow in a capture
 * of TCP) threw away the optimised flow path, to be compiled again at great cost.
 */
const PROTO_KIND = new Uint8Array(256);
PROTO_KIND[IPPROTO_TCP] = PROTO_KIND[IPPROTO_UDP] = PROTO_KIND[IPPROTO_SCTP] = K_PORTS;
PROTO_KIND[IPPROTO_ICMP] = PROTO_KIND[IPPROTO_ICMPV6] = K_ICMP;
/** the name of a protocol with ports, as the payload sniffers and appFromPort take it */
const PORTS_PROTO: PayloadContext['proto'][] = [];
PORTS_PROTO[IPPROTO_TCP] = 'tcp';
PORTS_PROTO[IPPROTO_UDP] = 'udp';
PORTS_PROTO[IPPROTO_SCTP] = 'sctp';

function endpointHash(x0: number, x1: number, x2: number, x3: number, port: number): number {
  let h = Math.imul(x0 ^ (port * 0x9e3779b1), 0x85ebca6b);
  h ^= Math.imul(x1, 0xc2b2ae35) ^ Math.imul(x2, 0x27d4eb2f) ^ Math.imul(x3, 0x165667b1);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d);
}

/**
 * The shard (of `shards`) that meters a captured frame: a hash of its outer IP address pair,
 * either order, so that a flow, its fragments and the flows tunnelled inside it stay together.
 * ARP, other network types and headers cut short go to shard 0. `scratch` is a Packet to decode
 * the link header into when the frame is not plain Ethernet with IP.
 */
export function frameShard(linktype: number, buf: Uint8Array, off: number, caplen: number, shards: number, scratch: Packet): number {
  if (linktype === 1 && caplen >= 34) {
    const et = (buf[off + 12] << 8) | buf[off + 13];
    if (et === ETH_IPV4) return pairShard(i32(buf, off + 26) ^ i32(buf, off + 30), shards);
    if (et === ETH_IPV6 && caplen >= 54) return pairShard(xor8(buf, off + 22), shards);
  }
  if (!decodeLink(scratch, linktype, buf, off, off + caplen)) return 0;
  const o = scratch.netOff;
  const left = scratch.end - o;
  if (scratch.netType === ETH_IPV4 && left >= 20) return pairShard(i32(buf, o + 12) ^ i32(buf, o + 16), shards);
  if (scratch.netType === ETH_IPV6 && left >= 40) return pairShard(xor8(buf, o + 8), shards);
  return 0;
}

/** the shard of an address pair given as the XOR of its words */
function pairShard(h: number, shards: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return ((h ^ (h >>> 16)) >>> 0) % shards;
}

/** XOR of the 8 big-endian words at o: two IPv6 addresses folded, either order */
function xor8(b: Uint8Array, o: number): number {
  return i32(b, o) ^ i32(b, o + 4) ^ i32(b, o + 8) ^ i32(b, o + 12) ^ i32(b, o + 16) ^ i32(b, o + 20) ^ i32(b, o + 24) ^ i32(b, o + 28);
}

function i32(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

export interface MeterStats {
  packets: number;
  /** packets without a usable network layer (not IP or ARP, or headers cut short) */
  undecoded: number;
  flows: number;
  /** flows written before their timeout because more than maxOpen were open */
  evicted: number;
}

export class FlowMeter {
  /**
   * The flow table: buckets of flows chained by hnext, whose tuples are compared in full;
   * doubled when it holds more flows than buckets. An array index instead of a Map lookup per
   * packet. A flow's bucket is the top bits of its key mixed with a random seed: addresses and
   * ports come from the network, and packets made to share one bucket would make every lookup
   * walk a long chain.
   */
  private buckets: (FlowState | null)[] = new Array<FlowState | null>(1 << 12).fill(null);
  /** 32 minus log2 of the number of buckets */
  private shift = 32 - 12;
  private readonly seed = (Math.random() * 0x100000000) | 0;
  private readonly arpTable = new Map<string, FlowState>();
  private readonly frags = new Map<string, FragEntry>();
  private readonly heads: (FlowState | null)[] = new Array<FlowState | null>(NLISTS).fill(null);
  private readonly tails: (FlowState | null)[] = new Array<FlowState | null>(NLISTS).fill(null);
  private readonly pkts: Packet[] = [];
  private clock = -0x3fffffff;
  private nextFragSweep = 0;
  private out: Flow[] = [];
  /** text mode: ended flows are kept as NDJSON text instead of objects (see takeText) */
  private text: string[] = [];
  private textMode = false;
  /** text mode: the lines of ended flows not yet taken */
  private readonly textOut = new ByteWriter();
  /** one line at a time (finishKeyed) */
  private readonly lineOut = new ByteWriter();
  private readonly payloadCtx: PayloadContext = { proto: 'tcp', sport: 0, dport: 0, fromOriginator: true, payload: NO_BYTES, off: 0, len: 0, flowPkts: 0 };
  /** packed mode (usePack) */
  private pack: FlowPack | undefined = undefined;
  /** the end of every line (made by the first writeLine) */
  private tail: OriginTail | undefined = undefined;
  readonly stats: MeterStats = { packets: 0, undecoded: 0, flows: 0, evicted: 0 };
  private open = 0;
  private readonly originSeed: [number, number];
  private readonly maxOpen: number;
  /** the idle timeout per IP protocol number (see PROTO_KIND), ARP's -1 at 255 */
  private readonly idleByProto = new Float64Array(256);

  constructor(
    private readonly origin: string,
    private readonly opts: MeterOptions = DEFAULT_METER,
  ) {
    for (let i = 0; i <= MAX_TUNNEL_DEPTH; i++) this.pkts.push(new Packet());
    this.idleByProto.fill(opts.otherIdleMs);
    this.idleByProto[IPPROTO_TCP] = opts.tcpIdleMs;
    this.idleByProto[IPPROTO_UDP] = opts.udpIdleMs;
    this.originSeed = originHash(origin);
    this.maxOpen = opts.maxOpen ?? DEFAULT_MAX_OPEN;
  }

  /** Flows written since the last call, in the order they ended. */
  take(): Flow[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  /**
   * Keep ended flows as NDJSON text (one line each, the same bytes as JSON.stringify of the
   * record): the command's output path skips building objects and serialising them again.
   */
  useText(): void {
    this.textMode = true;
  }

  /** Text mode: the lines of the flows ended since the last call. */
  takeText(): string {
    if (this.text.length === 0) return this.textOut.take();
    // lines pushed by finishText come after those written since the last take
    const t = this.textOut.take() + this.text.join('');
    this.text = [];
    return t;
  }

  /** Text mode: the lines of the flows ended since the last call, as UTF-8 bytes of their own (see takeText). */
  takeBytes(): Uint8Array {
    if (this.text.length === 0) return this.textOut.takeBytes();
    return Buffer.from(this.takeText(), 'utf8');
  }

  /** Text mode: end of input, as finish(). */
  finishText(): string {
    for (const k of this.finishKeyed(true)) this.text.push(k.line);
    return this.takeText();
  }

  /** End of input: flows not yet taken, then every open flow in the order of its first packet. */
  finish(): Flow[] {
    const out = this.take();
    for (const k of this.finishKeyed()) out.push(k.flow);
    return out;
  }

  /** The open flows at the end of input with their sort key (first packet index, tunnel depth), to merge shards. */
  finishKeyed(): { idx: number; depth: number; flow: Flow }[];
  finishKeyed(asText: true): { idx: number; depth: number; line: string }[];
  finishKeyed(asText = false): { idx: number; depth: number; flow?: Flow; line?: string }[] {
    return this.closeAll().map((f) => (asText ? { idx: f.idx, depth: f.depth, line: this.line(f) } : { idx: f.idx, depth: f.depth, flow: this.record(f) }));
  }

  /** End of input, packed mode: the flows not yet taken, then every open flow in the order of its first packet. */
  finishPack(): PackedFlows {
    const pack = this.pack!;
    for (const f of this.closeAll()) pack.add(f);
    return pack.take();
  }

  /**
   * Write ended flows as numbers for a writer thread (writeFlowPack) instead of as text: the
   * same lines, made in another thread.
   */
  usePack(): void {
    this.pack = new FlowPack();
  }

  /** Packed mode: the flows ended since the last call. */
  takePack(): PackedFlows {
    return this.pack!.take();
  }

  /** The open flows in the order of their first packet; the meter is emptied. */
  private closeAll(): FlowState[] {
    const open: FlowState[] = [];
    for (let l = 0; l < NLISTS; l++) for (let f = this.heads[l]; f; f = f.lnext) open.push(f);
    open.sort((x, y) => x.idx - y.idx || x.depth - y.depth);
    this.open = 0;
    this.buckets = new Array<FlowState | null>(1 << 12).fill(null);
    this.shift = 32 - 12;
    this.arpTable.clear();
    this.frags.clear();
    this.heads.fill(null);
    this.tails.fill(null);
    return open;
  }

  /**
   * Times inside the meter are integer milliseconds after `epoch` (ms since 1970), set by the
   * reader from the first packet: small integers stay unboxed on the per-packet path.
   */
  epoch = NaN;

  /** The meter time of `ms` since 1970 (sets the epoch on first use). */
  relTime(ms: number): number {
    if (this.epoch !== this.epoch) this.epoch = Math.floor(ms);
    return Math.floor(ms - this.epoch);
  }

  /**
   * One captured frame: link type, bytes buf[off, off+caplen), time (ms after `epoch`), and
   * its 1-based index in the capture (for flow ids).
   */
  packet(linktype: number, buf: Uint8Array, off: number, caplen: number, ts: number, index: number): void {
    this.stats.packets++;
    this.tick(ts);
    const p = this.pkts[0];
    if (!decodeLink(p, linktype, buf, off, off + caplen)) {
      this.stats.undecoded++;
      return;
    }
    this.network(p, ts, index, 0);
  }

  /** The time of a packet metered elsewhere (another shard): the clock moves and flows expire as if it were seen. */
  tick(ts: number): void {
    if (ts > this.clock) {
      this.clock = ts;
      this.expire(ts);
    }
  }

  private network(p: Packet, ts: number, index: number, depth: number): void {
    const t = p.netType;
    if (t === ETH_IPV4 || t === ETH_IPV6) {
      if (!decodeIp(p)) {
        this.stats.undecoded++;
        return;
      }
      this.ipPacket(p, ts, index, depth);
    } else if (t === ETH_ARP) {
      this.arpPacket(p, ts, index, depth);
    } else {
      this.stats.undecoded++;
    }
  }

  private ipPacket(p: Packet, ts: number, index: number, depth: number): void {
    if (p.frag === Frag.Later) {
      this.laterFragment(p, ts);
      return;
    }
    if (!decodeTransport(p)) {
      this.stats.undecoded++;
      return;
    }
    const proto = p.proto;
    const b = p.buf;
    let sport = 0;
    let dport = 0;
    if (p.hasPorts) {
      sport = p.sport;
      dport = p.dport;
    } else if (PROTO_KIND[proto & 255] === K_ICMP) {
      const [x, y] = icmpPorts(proto === IPPROTO_ICMPV6, p.icmpType, p.icmpCode);
      sport = x;
      dport = y;
    }
    let a0: number, a1 = 0, a2 = 0, a3 = 0, b0: number, b1 = 0, b2 = 0, b3 = 0;
    const v6 = p.ipVer === 6;
    const so = p.srcOff;
    const d = p.dstOff;
    if (v6) {
      a0 = i32(b, so); a1 = i32(b, so + 4); a2 = i32(b, so + 8); a3 = i32(b, so + 12);
      b0 = i32(b, d); b1 = i32(b, d + 4); b2 = i32(b, d + 8); b3 = i32(b, d + 12);
    } else {
      a0 = i32(b, so);
      b0 = i32(b, d);
    }
    const key = ((endpointHash(a0, a1, a2, a3, sport) + endpointHash(b0, b1, b2, b3, dport)) ^ Math.imul(proto + 1, 0x01000193)) & 0x3fffffff;

    // look the flow up in either direction
    let f = this.buckets[this.bucketOf(key)];
    let fwd = true;
    while (f) {
      if (f.proto === proto && f.v6 === v6) {
        if (f.a0 === a0 && f.b0 === b0 && f.sport === sport && f.dport === dport && f.a1 === a1 && f.a2 === a2 && f.a3 === a3 && f.b1 === b1 && f.b2 === b2 && f.b3 === b3) break;
        if (f.a0 === b0 && f.b0 === a0 && f.sport === dport && f.dport === sport && f.a1 === b1 && f.a2 === b2 && f.a3 === b3 && f.b1 === a1 && f.b2 === a2 && f.b3 === a3) {
          fwd = false;
          break;
        }
      }
      f = f.hnext;
    }

    const tcpFlags = proto === IPPROTO_TCP ? p.tcpFlags : 0;
    if (f && f.deadline < this.clock) {
      // timed out, but not yet reached by expire(): it ends here
      this.remove(f);
      f = null;
    }
    if (f) {
      // an ended TCP connection is not continued by a new SYN, nor is an open one by a SYN with
      // a new initial sequence number (Zeek's IsReuse); an over-long flow is cut
      if ((tcpFlags & 0x12) === 0x02 && (f.os === RESET || f.rs === RESET || (f.oClosed && f.rClosed) || (p.tcpSeq !== f.oSeq && !(f.os === SYN_ACK_SENT && f.rs === INACTIVE)))) {
        this.remove(f);
        f = null;
      } else if (ts - f.first > this.opts.activeMs) {
        this.remove(f);
        f = null;
      }
    }
    if (!f) {
      fwd = true;
      f = new FlowState();
      f.key = key;
      f.v6 = v6;
      f.proto = proto;
      f.a0 = a0; f.a1 = a1; f.a2 = a2; f.a3 = a3;
      f.b0 = b0; f.b1 = b1; f.b2 = b2; f.b3 = b3;
      f.sport = sport;
      f.dport = dport;
      // the SYN's sequence number, or one before the first segment's (one expression: see PROTO_KIND)
      f.oSeq = proto === IPPROTO_TCP ? (p.tcpSeq - 1 + ((tcpFlags >> 1) & 1)) | 0 : 0;
      f.icmpType = p.icmpType;
      f.icmpCode = p.icmpCode;
      f.first = ts;
      f.last = ts;
      f.idx = index;
      f.depth = depth;
      if (p.smacOff >= 0) {
        f.smacHi = (b[p.smacOff] << 8) | b[p.smacOff + 1];
        f.smacLo = i32(b, p.smacOff + 2);
      }
      if (p.dmacOff >= 0) {
        f.dmacHi = (b[p.dmacOff] << 8) | b[p.dmacOff + 1];
        f.dmacLo = i32(b, p.dmacOff + 2);
      }
      f.vlan = p.vlan;
      const bucket = this.bucketOf(key);
      f.hnext = this.buckets[bucket];
      this.buckets[bucket] = f;
      this.stats.flows++;
      if (++this.open > this.maxOpen) this.evict();
      if (this.open > this.buckets.length) this.grow();
      this.place(f, proto === IPPROTO_TCP ? L_TCP : proto === IPPROTO_UDP && (isDnsPort(sport) || isDnsPort(dport)) ? L_DNS : L_IDLE);
    }

    let ipLen = p.ipLen;
    if (p.frag === Frag.First) {
      // counted as the reassembled datagram, which has no IPv6 fragment header
      ipLen += this.firstFragment(p, f, fwd, ts) - (v6 ? 8 : 0);
    }
    if (fwd) {
      f.pkts++;
      f.bytes += ipLen;
      f.flags |= tcpFlags;
    } else {
      f.rpkts++;
      f.rbytes += ipLen;
      f.rflags |= tcpFlags;
    }
    if (ts > f.last) f.last = ts;
    else if (ts < f.first) f.first = ts;

    if (proto === IPPROTO_TCP) this.tcp(f, fwd, tcpFlags, p.payLen, ts);
    else if (f.list === L_IDLE || f.list === L_DNS) this.touch(f);

    if (p.payCap > 0 && PROTO_KIND[proto & 255] === K_PORTS) this.inspect(f, p, fwd);

    this.tunnel(p, ts, index, depth);
  }

  private tunnel(p: Packet, ts: number, index: number, depth: number): void {
    if (depth < MAX_TUNNEL_DEPTH && this.opts.tunnels) {
      const inner = this.pkts[depth + 1];
      if (decodeTunnel(p, inner)) this.network(inner, ts, index, depth + 1);
    }
  }

  private inspect(f: FlowState, p: Packet, fwd: boolean): void {
    const n = fwd ? f.appO : f.appR;
    const always = f.proto === IPPROTO_UDP && (isAlwaysPort(f.sport) || isAlwaysPort(f.dport));
    if (n >= APP_PKTS && !always) return;
    if (fwd) f.appO++;
    else f.appR++;
    // one context object for every call (the sniffers keep no reference to it)
    const ctx = this.payloadCtx;
    ctx.proto = PORTS_PROTO[f.proto];
    ctx.sport = f.sport;
    ctx.dport = f.dport;
    ctx.fromOriginator = fwd;
    ctx.payload = p.buf;
    ctx.off = p.payOff;
    ctx.len = p.payCap;
    ctx.flowPkts = f.pkts + f.rpkts;
    const info = inspectPayload(ctx);
    ctx.payload = NO_BYTES;
    if (info) f.app = mergeApp(f.app, info);
  }

  /** The first fragment of a datagram: remember its flow; add bytes of later fragments already seen. */
  private firstFragment(p: Packet, f: FlowState, fwd: boolean, ts: number): number {
    const k = fragKey(p);
    const e = this.frags.get(k);
    if (e) {
      const extra = e.pending;
      e.flow = f;
      e.fwd = fwd;
      e.pending = 0;
      return extra;
    }
    if (this.frags.size < MAX_FRAGS) this.frags.set(k, { flow: f, fwd, pending: 0, exp: ts + FRAG_MS });
    return 0;
  }

  /** A later fragment adds its payload to the datagram's flow (one packet per datagram, as Zeek counts). */
  private laterFragment(p: Packet, ts: number): void {
    const k = fragKey(p);
    const e = this.frags.get(k);
    const len = p.l4Len;
    if (!e) {
      if (this.frags.size < MAX_FRAGS) this.frags.set(k, { flow: null, fwd: true, pending: len, exp: ts + FRAG_MS });
      return;
    }
    const f = e.flow;
    if (!f || f.list < 0) {
      e.pending += len;
      return;
    }
    if (e.fwd) f.bytes += len;
    else f.rbytes += len;
    if (ts > f.last) f.last = ts;
  }

  private arpPacket(p: Packet, ts: number, index: number, depth: number): void {
    const info = decodeArp(p.buf, p.netOff, p.end - p.netOff);
    if (!info) {
      this.stats.undecoded++;
      return;
    }
    // one flow per (operation, sender, sender address, target address): an ARP scan gives one
    // flow per address asked for, and each answer is a flow of its own
    const key = `${info.op}|${info.sha}|${info.spa}|${info.tpa}`;
    let f = this.arpTable.get(key);
    if (f && (f.deadline < this.clock || ts - f.first > this.opts.activeMs)) {
      this.remove(f);
      f = undefined;
    }
    if (!f) {
      f = new FlowState();
      f.arpKey = key;
      f.arp = info;
      f.proto = -1;
      f.first = ts;
      f.last = ts;
      f.idx = index;
      f.depth = depth;
      const b = p.buf;
      if (p.smacOff >= 0) {
        f.smacHi = (b[p.smacOff] << 8) | b[p.smacOff + 1];
        f.smacLo = i32(b, p.smacOff + 2);
      }
      if (p.dmacOff >= 0) {
        f.dmacHi = (b[p.dmacOff] << 8) | b[p.dmacOff + 1];
        f.dmacLo = i32(b, p.dmacOff + 2);
      }
      f.vlan = p.vlan;
      this.arpTable.set(key, f);
      this.stats.flows++;
      if (++this.open > this.maxOpen) this.evict();
      this.place(f, L_IDLE);
    } else {
      this.touch(f);
    }
    f.pkts++;
    f.bytes += 28;
    if (ts > f.last) f.last = ts;
  }

  /** Zeek's TCP endpoint state machine (TCPSessionAdapter::UpdateStateMachine), reduced to what conn_state needs. */
  private tcp(f: FlowState, isOrig: boolean, flags: number, len: number, ts: number): void {
    const SYN = flags & 0x02;
    const FIN = flags & 0x01;
    const RST = flags & 0x04;
    const ACK = flags & 0x10;
    let ep = isOrig ? f.os : f.rs;
    let peer = isOrig ? f.rs : f.os;
    const epStart = ep;
    const peerStart = peer;
    let peerPrevOverride = -1;
    let doClose = false;

    // history, for RSTOS0 (`^S[^HAFGIQ]*R`)
    if (f.rstos0 === 0) f.rstos0 = isOrig && SYN && !ACK && !FIN && !RST ? 1 : 2;
    else if (f.rstos0 === 1 && isOrig) {
      const bits = (SYN ? 1 : 0) + (FIN ? 1 : 0) + (RST ? 1 : 0);
      if (bits > 1 || (SYN && ACK) || FIN || (bits === 0 && len === 0 && ACK)) f.rstos0 = 2;
      else if (RST) f.rstos0 = 3;
    }

    if (isOrig) f.oSize += RST ? 0 : len;
    else f.rSize += RST ? 0 : len;

    switch (ep) {
      case INACTIVE:
        if (SYN) {
          if (isOrig) {
            ep = ACK ? SYN_ACK_SENT : SYN_SENT;
            if (peer === INACTIVE && f.list !== L_ATTEMPT) {
              f.deadline = ts + Math.min(ATTEMPT_MS, this.opts.tcpIdleMs);
              this.move(f, L_ATTEMPT);
            }
          } else {
            if (peer === SYN_SENT) peer = ESTABLISHED;
            ep = ESTABLISHED;
          }
        }
        if (FIN) {
          ep = CLOSED;
          doClose = true;
        }
        if (RST) {
          ep = RESET;
          doClose = true;
        }
        if (ep === INACTIVE) {
          if (!isOrig && len === 0 && f.os === SYN_SENT) {
            // an ACK of the SYN before the SYN-ACK does not make a partial connection
          } else if (ACK && peer === ESTABLISHED) {
            ep = ESTABLISHED;
          } else {
            ep = PARTIAL;
          }
        }
        break;
      case SYN_SENT:
      case SYN_ACK_SENT:
        if (FIN) {
          ep = CLOSED;
          doClose = true;
        }
        if (RST) {
          ep = RESET;
          doClose = true;
        }
        break;
      case ESTABLISHED:
      case PARTIAL:
        if (SYN && ep === PARTIAL && peer === INACTIVE && !ACK) ep = SYN_SENT;
        if (FIN && !RST) {
          ep = CLOSED;
          const peerPrev = isOrig ? f.rsPrev : f.osPrev;
          if (peer === RESET && peerPrev === CLOSED) {
            peer = CLOSED;
            peerPrevOverride = RESET;
          }
          doClose = true;
        }
        if (RST) {
          ep = RESET;
          doClose = true;
        }
        break;
      case CLOSED:
        if (RST && peer !== CLOSED) {
          ep = RESET;
          if (!(isOrig ? f.oClosed : f.rClosed)) doClose = true;
        }
        break;
    }

    // commit the states (prev_state as Zeek's SetState keeps it)
    if (isOrig) {
      if (ep !== epStart) { f.osPrev = epStart; f.os = ep; }
      if (peer !== peerStart) { f.rsPrev = peerPrevOverride >= 0 ? peerPrevOverride : peerStart; f.rs = peer; }
    } else {
      if (ep !== epStart) { f.rsPrev = epStart; f.rs = ep; }
      if (peer !== peerStart) { f.osPrev = peerPrevOverride >= 0 ? peerPrevOverride : peerStart; f.os = peer; }
    }

    if (doClose && !(isOrig ? f.oClosed : f.rClosed)) {
      if (isOrig) f.oClosed = true;
      else f.rClosed = true;
      const peerClosed = isOrig ? f.rClosed : f.oClosed;
      const complete = ep === RESET || peerClosed || peer === INACTIVE;
      if (complete) {
        f.deadline = f.last + Math.min(CLOSE_MS, this.opts.tcpIdleMs);
        this.move(f, L_CLOSE);
        return;
      }
      // a half close waits for the other side under the inactivity timeout (Zeek's ExpireTimer)
      if (f.list !== L_TCP) {
        this.move(f, L_TCP);
        return;
      }
    }
    const l = f.list;
    if (l === L_TCP) this.touch(f);
    else if (l === L_ATTEMPT && f.rs !== INACTIVE) this.move(f, L_TCP);
  }

  // --- timeout lists ---

  private idleMs(f: FlowState): number {
    if (f.list === L_DNS) return this.opts.dnsIdleMs;
    return this.idleByProto[f.proto & 255];
  }

  private place(f: FlowState, l: number): void {
    f.list = l;
    if (l === L_TCP || l === L_IDLE || l === L_DNS) f.deadline = this.clock + this.idleMs(f);
    this.append(f, l);
  }

  private append(f: FlowState, l: number): void {
    f.list = l;
    f.qdl = f.deadline;
    f.lnext = null;
    f.lprev = this.tails[l];
    if (f.lprev) f.lprev.lnext = f;
    else this.heads[l] = f;
    this.tails[l] = f;
  }

  private unlink(f: FlowState): void {
    const l = f.list;
    if (f.lprev) f.lprev.lnext = f.lnext;
    else this.heads[l] = f.lnext;
    if (f.lnext) f.lnext.lprev = f.lprev;
    else this.tails[l] = f.lprev;
    f.lprev = f.lnext = null;
    f.list = -1;
  }

  /**
   * Activity on an idle-timed flow moves its deadline only; the flow is re-queued when it
   * reaches the head of its list still alive (lazy LRU: no list surgery per packet). A packet
   * that comes after the deadline of a flow not yet expired starts a new flow (see ipPacket).
   */
  private touch(f: FlowState): void {
    f.deadline = this.clock + this.idleMs(f);
  }

  private move(f: FlowState, l: number): void {
    this.unlink(f);
    this.place(f, l);
  }

  private expire(now: number): void {
    for (let l = 0; l < NLISTS; l++) {
      let f = this.heads[l];
      while (f && f.qdl < now) {
        const next = f.lnext;
        if (f.deadline >= now) {
          this.unlink(f);
          this.append(f, l);
        } else if (l === L_ATTEMPT && f.rs !== INACTIVE) {
          this.move(f, L_TCP);
        } else {
          this.remove(f);
        }
        f = next;
      }
    }
    if (now >= this.nextFragSweep && this.frags.size) {
      this.nextFragSweep = now + FRAG_MS;
      for (const [k, e] of this.frags) if (e.exp < now) this.frags.delete(k);
    }
  }

  private bucketOf(key: number): number {
    return Math.imul(key ^ this.seed, 0x9e3779b1) >>> this.shift;
  }

  /** Twice the buckets, the flows placed again by their keys. */
  private grow(): void {
    const old = this.buckets;
    this.buckets = new Array<FlowState | null>(old.length * 2).fill(null);
    this.shift--;
    for (let i = 0; i < old.length; i++) {
      for (let f = old[i]; f; ) {
        const after = f.hnext;
        const bucket = this.bucketOf(f.key);
        f.hnext = this.buckets[bucket];
        this.buckets[bucket] = f;
        f = after;
      }
    }
  }

  /** Too many open flows: write the one whose queue deadline is nearest, before its time. */
  private evict(): void {
    let best: FlowState | null = null;
    for (let l = 0; l < NLISTS; l++) {
      const h = this.heads[l];
      if (h && (!best || h.qdl < best.qdl)) best = h;
    }
    if (best) {
      this.stats.evicted++;
      this.remove(best);
    }
  }

  private remove(f: FlowState): void {
    this.open--;
    this.unlink(f);
    if (f.arpKey) {
      this.arpTable.delete(f.arpKey);
    } else {
      const bucket = this.bucketOf(f.key);
      let h = this.buckets[bucket];
      if (h === f) {
        this.buckets[bucket] = f.hnext;
      } else {
        while (h && h.hnext !== f) h = h.hnext;
        if (h) h.hnext = f.hnext;
      }
      f.hnext = null;
    }
    this.emit(f);
  }

  private emit(f: FlowState): void {
    if (this.pack !== undefined) this.pack.add(f);
    else if (this.textMode) this.writeLine(f, this.textOut);
    else this.out.push(this.record(f));
  }

  private record(f: FlowState): Flow {
    const proto = f.proto;
    let src: string;
    let dst: string;
    if (proto < 0) {
      const a = f.arp!;
      src = a.spa;
      dst = a.tpa;
    } else if (f.v6) {
      src = v6text(f.a0, f.a1, f.a2, f.a3);
      dst = v6text(f.b0, f.b1, f.b2, f.b3);
    } else {
      src = formatIPv4(f.a0 >>> 0);
      dst = formatIPv4(f.b0 >>> 0);
    }
    // contract field order: times, proto, endpoints, counts, TCP, application, layer 2, ids
    const ep = this.epoch === this.epoch ? this.epoch : 0;
    const o = { kind: 'flow', start: isoMs(ep + f.first), end: isoMs(ep + f.last), proto: protoName(proto), src } as Flow;
    const ported = PROTO_KIND[proto & 255] === K_PORTS;
    if (ported) o.sport = f.sport;
    o.dst = dst;
    if (ported) o.dport = f.dport;
    if (f.icmpType >= 0 && PROTO_KIND[proto & 255] === K_ICMP) {
      o.icmp_type = f.icmpType;
      o.icmp_code = f.icmpCode;
    }
    o.pkts = f.pkts;
    o.bytes = f.bytes;
    o.rpkts = f.rpkts;
    o.rbytes = f.rbytes;
    if (proto === IPPROTO_TCP) {
      if (f.flags) o.flags = FLAG_LETTERS[f.flags];
      if (f.rflags) o.rflags = FLAG_LETTERS[f.rflags];
      o.state = tcpState(f);
    } else if (proto === IPPROTO_UDP) {
      o.state = f.pkts > 0 ? (f.rpkts > 0 ? 'SF' : 'S0') : f.rpkts > 0 ? 'SHR' : 'OTH';
    }
    if (ported) {
      const app = f.app?.app ?? appFromPort(PORTS_PROTO[proto], f.sport, f.dport);
      if (app) o.app = app;
      if (f.app?.dns) o.dns = f.app.dns;
      if (f.app?.dhcp) o.dhcp = f.app.dhcp;
      if (f.app?.tls_sni) o.tls_sni = f.app.tls_sni;
    }
    if (f.arp) o.arp = f.arp;
    if (f.smacHi >= 0) o.smac = macText(f.smacHi, f.smacLo);
    if (f.dmacHi >= 0) o.dmac = macText(f.dmacHi, f.dmacLo);
    if (f.vlan >= 0) o.vlan = f.vlan;
    if (proto >= 0) {
      o.community_id = CID_TEXT.toString('latin1', 0, putFlowCommunityId(CID_TEXT, 0, f));
    }
    o.id = flowIdFrom(this.originSeed, f.idx, f.depth);
    o.origin = this.origin;
    return o;
  }

  /** The record of f as one NDJSON line: what JSON.stringify(this.record(f)) + '\n' gives, made directly. */
  private line(f: FlowState): string {
    this.writeLine(f, this.lineOut);
    return this.lineOut.take();
  }

  /**
   * Write the NDJSON line of f as bytes (see ByteWriter): the same text as line(), without
   * building and flattening a string of many small pieces per flow.
   */
  private writeLine(f: FlowState, w: ByteWriter): void {
    lineText(f);
    const arp = f.proto < 0 ? f.arp! : undefined;
    writeFlowLine(f, w, this.epoch === this.epoch ? this.epoch : 0, lineName, lineExtra, arp ? arp.spa : '', arp ? arp.tpa : '', (this.tail ??= new OriginTail(this.origin)));
  }
}

/** lineText's results: the flow's application name ('' for none) and the JSON of its details */
let lineName = '';
let lineExtra = '';

/**
 * The parts of f's line that are not numbers: the application name, and the JSON members of
 * the application's details (DNS, DHCP, TLS SNI) and of ARP, in the contract's order.
 */
function lineText(f: FlowState): void {
  const proto = f.proto;
  let name = '';
  let extra = '';
  if (PROTO_KIND[proto & 255] === K_PORTS) {
    const a = f.app;
    name = a?.app ?? appFromPort(PORTS_PROTO[proto], f.sport, f.dport) ?? '';
    if (a !== undefined) {
      if (a.dns) extra += ',"dns":' + JSON.stringify(a.dns);
      if (a.dhcp) extra += ',"dhcp":' + JSON.stringify(a.dhcp);
      if (a.tls_sni) extra += ',"tls_sni":' + JSON.stringify(a.tls_sni);
    }
  }
  if (f.arp) extra += ',"arp":' + JSON.stringify(f.arp);
  lineName = name;
  lineExtra = extra;
}

/** The end of every line of a source: `","origin":ORIGIN}` and the newline in UTF-8, and the seed of its flow ids. */
export class OriginTail {
  readonly bytes: Run;
  readonly utf8: boolean;
  readonly seed: [number, number];
  constructor(origin: string) {
    const text = '","origin":' + JSON.stringify(origin) + '}\n';
    this.bytes = runOfBytes(Buffer.from(text, 'utf8'));
    this.utf8 = this.bytes.length !== text.length;
    this.seed = originHash(origin);
  }
}

/** Ended flows as numbers, PF a flow (see FlowPack), for a writer thread. */
export interface PackedFlows {
  data: Float64Array;
  count: number;
  /** the flows' text: lineText's extra, and for ARP the two addresses after it */
  strs: string[];
  /** application names first used in this batch, numbered on from the names sent before */
  names: string[];
}

// a packed flow: the FlowState fields that its line and tcpState read, the application name's
// number (-1: none) and where its text is in strs (-1: none)
const PF = 36;
const P_VLAN = 33;
const P_NAME = 34;
const P_STR = 35;
/** application names numbered at most (more are sent as text) */
const MAX_NAMES = 4096;

/** The meter side of packed mode: flows to numbers, in the order they end. */
class FlowPack {
  private data = new Float64Array(PF * 1024);
  private count = 0;
  private strs: string[] = [];
  private readonly ids = new Map<string, number>();
  private names: string[] = [];

  add(f: FlowState): void {
    lineText(f);
    let d = this.data;
    const i = this.count * PF;
    if (i + PF > d.length) {
      const bigger = new Float64Array(d.length * 2);
      bigger.set(d);
      this.data = d = bigger;
    }
    d[i] = f.proto;
    d[i + 1] = f.v6 ? 1 : 0;
    d[i + 2] = f.a0;
    d[i + 3] = f.a1;
    d[i + 4] = f.a2;
    d[i + 5] = f.a3;
    d[i + 6] = f.b0;
    d[i + 7] = f.b1;
    d[i + 8] = f.b2;
    d[i + 9] = f.b3;
    d[i + 10] = f.sport;
    d[i + 11] = f.dport;
    d[i + 12] = f.icmpType;
    d[i + 13] = f.icmpCode;
    d[i + 14] = f.first;
    d[i + 15] = f.last;
    d[i + 16] = f.idx;
    d[i + 17] = f.depth;
    d[i + 18] = f.pkts;
    d[i + 19] = f.bytes;
    d[i + 20] = f.rpkts;
    d[i + 21] = f.rbytes;
    d[i + 22] = f.flags;
    d[i + 23] = f.rflags;
    d[i + 24] = f.os;
    d[i + 25] = f.rs;
    d[i + 26] = f.oSize;
    d[i + 27] = f.rSize;
    d[i + 28] = f.rstos0;
    d[i + 29] = f.smacHi;
    d[i + 30] = f.smacLo;
    d[i + 31] = f.dmacHi;
    d[i + 32] = f.dmacLo;
    d[i + P_VLAN] = f.vlan;
    const name = lineName;
    let extra = lineExtra;
    let id = -1;
    if (name) {
      const known = this.ids.get(name);
      if (known !== undefined) id = known;
      else if (this.ids.size < MAX_NAMES) {
        id = this.ids.size;
        this.ids.set(name, id);
        this.names.push(name);
      } else {
        // the text writeFlowLine makes of a name
        extra = ',"app":' + JSON.stringify(name) + extra;
      }
    }
    d[i + P_NAME] = id;
    if (extra || f.proto < 0) {
      d[i + P_STR] = this.strs.length;
      this.strs.push(extra);
      if (f.proto < 0) this.strs.push(f.arp!.spa, f.arp!.tpa);
    } else d[i + P_STR] = -1;
    this.count++;
  }

  take(): PackedFlows {
    const out: PackedFlows = { data: this.data.slice(0, this.count * PF), count: this.count, strs: this.strs, names: this.names };
    this.count = 0;
    this.strs = [];
    this.names = [];
    return out;
  }
}

/**
 * The writer thread's side of packed mode: the lines of `p`'s flows into w, as the meter would
 * have written them. `names` holds every name sent so far (p.names are added to it); `ep` is
 * the meter's epoch (0 when it has none).
 */
export function writeFlowPack(p: PackedFlows, names: string[], ep: number, tail: OriginTail, w: ByteWriter): void {
  for (const n of p.names) names.push(n);
  const f = scratchFlow;
  const d = p.data;
  const strs = p.strs;
  for (let i = 0; i < p.count * PF; i += PF) {
    f.proto = d[i];
    f.v6 = d[i + 1] === 1;
    f.a0 = d[i + 2];
    f.a1 = d[i + 3];
    f.a2 = d[i + 4];
    f.a3 = d[i + 5];
    f.b0 = d[i + 6];
    f.b1 = d[i + 7];
    f.b2 = d[i + 8];
    f.b3 = d[i + 9];
    f.sport = d[i + 10];
    f.dport = d[i + 11];
    f.icmpType = d[i + 12];
    f.icmpCode = d[i + 13];
    f.first = d[i + 14];
    f.last = d[i + 15];
    f.idx = d[i + 16];
    f.depth = d[i + 17];
    f.pkts = d[i + 18];
    f.bytes = d[i + 19];
    f.rpkts = d[i + 20];
    f.rbytes = d[i + 21];
    f.flags = d[i + 22];
    f.rflags = d[i + 23];
    f.os = d[i + 24];
    f.rs = d[i + 25];
    f.oSize = d[i + 26];
    f.rSize = d[i + 27];
    f.rstos0 = d[i + 28];
    f.smacHi = d[i + 29];
    f.smacLo = d[i + 30];
    f.dmacHi = d[i + 31];
    f.dmacLo = d[i + 32];
    f.vlan = d[i + P_VLAN];
    const id = d[i + P_NAME];
    const at = d[i + P_STR];
    const extra = at >= 0 ? strs[at] : '';
    const arp = f.proto < 0 && at >= 0;
    writeFlowLine(f, w, ep, id >= 0 ? names[id] : '', extra, arp ? strs[at + 1] : '', arp ? strs[at + 2] : '', tail);
  }
}

const scratchFlow = new FlowState();

/**
 * f's NDJSON line into w: `ep` the meter's epoch, `name` and `extra` what lineText gave, and
 * for ARP (proto -1) the addresses as text.
 */
function writeFlowLine(f: FlowState, w: ByteWriter, ep: number, name: string, extra: string, arpSrc: string, arpDst: string, tail: OriginTail): void {
  const proto = f.proto;
  const kind = PROTO_KIND[proto & 255];
  const ported = kind === K_PORTS;
  let app: Run | undefined;
  if (name) {
    app = appJson(name);
    if (app === undefined) extra = ',"app":' + JSON.stringify(name) + extra;
  }
  const origin = tail.bytes;
  const isArp = proto < 0;
  // room for the whole line
  w.reserve(1024 + origin.length + 3 * (extra.length + arpSrc.length + arpDst.length));
  if (tail.utf8) w.markUtf8();

  const b = w.buf;
  let n = w.n;
  n = putRun(b, n, J_START);
  n = putIso(b, n, ep + f.first);
  n = putRun(b, n, J_END);
  n = putIso(b, n, ep + f.last);
  n = putRun(b, n, J_PROTO);
  n = putRun(b, n, PROTO_JSON[proto + 1]);
  n = putRun(b, n, J_SRC);
  if (isArp) {
    w.n = n;
    w.text(arpSrc);
    n = w.n;
  } else if (f.v6) n = putAscii(b, n, v6text(f.a0, f.a1, f.a2, f.a3));
  else n = putIpv4(b, n, f.a0);
  // what differs between flows with and without ports is chosen as data, with no branch that
  // only a later kind of flow takes (see PROTO_KIND)
  if (ported) {
    n = putRun(b, n, J_SPORT);
    n = putInt(b, n, f.sport);
  }
  n = putRun(b, n, ported ? J_DST : J_DST_AFTER_SRC);
  if (isArp) {
    w.n = n;
    w.text(arpDst);
    n = w.n;
  } else if (f.v6) n = putAscii(b, n, v6text(f.b0, f.b1, f.b2, f.b3));
  else n = putIpv4(b, n, f.b0);
  n = putRun(b, n, ported ? J_DPORT : J_QUOTE);
  if (ported) n = putInt(b, n, f.dport);
  if (kind === K_ICMP && f.icmpType >= 0) {
    n = putRun(b, n, J_ICMP_TYPE);
    n = putInt(b, n, f.icmpType);
    n = putRun(b, n, J_ICMP_CODE);
    n = putInt(b, n, f.icmpCode);
  }
  n = putRun(b, n, J_PKTS);
  n = putInt(b, n, f.pkts);
  n = putRun(b, n, J_BYTES);
  n = putInt(b, n, f.bytes);
  n = putRun(b, n, J_RPKTS);
  n = putInt(b, n, f.rpkts);
  n = putRun(b, n, J_RBYTES);
  n = putInt(b, n, f.rbytes);
  if (proto === IPPROTO_TCP) {
    if (f.flags) {
      n = putRun(b, n, J_FLAGS);
      n = putAscii(b, n, FLAG_LETTERS[f.flags]);
      b[n++] = 0x22;
    }
    if (f.rflags) {
      n = putRun(b, n, J_RFLAGS);
      n = putAscii(b, n, FLAG_LETTERS[f.rflags]);
      b[n++] = 0x22;
    }
    n = putRun(b, n, J_STATE);
    n = putAscii(b, n, tcpState(f));
    b[n++] = 0x22;
  }
  // the state of a UDP flow (nothing for other protocols)
  n = putRun(b, n, UDP_STATE[(proto === IPPROTO_UDP ? 4 : 0) + (f.pkts > 0 ? 1 : 0) + (f.rpkts > 0 ? 2 : 0)]);
  if (app !== undefined) n = putRun(b, n, app);
  if (extra) {
    w.n = n;
    w.text(extra);
    n = w.n;
  }
  if (f.smacHi >= 0) {
    n = putRun(b, n, J_SMAC);
    n = putMac(b, n, f.smacHi, f.smacLo);
    b[n++] = 0x22;
  }
  if (f.dmacHi >= 0) {
    n = putRun(b, n, J_DMAC);
    n = putMac(b, n, f.dmacHi, f.dmacLo);
    b[n++] = 0x22;
  }
  if (f.vlan >= 0) {
    n = putRun(b, n, J_VLAN);
    n = putInt(b, n, f.vlan);
  }
  if (proto >= 0) {
    n = putRun(b, n, J_CID);
    n = putFlowCommunityId(b, n, f);
    b[n++] = 0x22;
  }
  n = putRun(b, n, J_ID);
  n = putFlowId(b, n, tail.seed, f.idx, f.depth);
  w.n = putRun(b, n, origin);
}

/**
 * NDJSON text as bytes in one growing buffer, turned into a string once per batch: a flow line
 * is some 30 small pieces, and a string made of them by concatenation is a tree that costs
 * more to flatten (when joined or written) than to build. Text known to be ASCII is copied
 * char by char; other text (names in DNS answers, the origin) is written as UTF-8, and the
 * batch is then decoded as UTF-8 instead of Latin-1.
 */
export class ByteWriter {
  /**
   * The buffer and the end of what is written in it. A writer of many small pieces (the flow
   * meter's writeLine) reserves room, then writes with the put* functions on `buf` from a local
   * copy of `n`, and stores `n` back: no call or field update per piece.
   */
  buf: Buffer = Buffer.allocUnsafe(1 << 16);
  n = 0;
  private utf8 = false;

  /** bytes written since the last take */
  get length(): number {
    return this.n;
  }

  /** Make room for `k` more bytes. */
  reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.n);
    this.buf = next;
  }

  /** Bytes written directly (with put*) include UTF-8 that is not ASCII. */
  markUtf8(): void {
    this.utf8 = true;
  }

  /** The text written since the last take. */
  take(): string {
    const t = this.n === 0 ? '' : this.utf8 ? this.buf.toString('utf8', 0, this.n) : this.buf.toString('latin1', 0, this.n);
    this.n = 0;
    this.utf8 = false;
    return t;
  }

  /**
   * The bytes written since the last take, in a buffer of their own (to transfer to another
   * thread): UTF-8, since text that is not ASCII is written as UTF-8.
   */
  takeBytes(): Uint8Array {
    const out = new Uint8Array(this.n);
    out.set(this.buf.subarray(0, this.n));
    this.n = 0;
    this.utf8 = false;
    return out;
  }

  /** Any text (room for 3 bytes a char reserved). */
  text(s: string): void {
    const b = this.buf;
    let n = this.n;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.n = n + b.write(s.slice(i), n, 'utf8');
        this.utf8 = true;
        return;
      }
      b[n++] = c;
    }
    this.n = n;
  }
}

// Writers of pieces of a line into b at n (room reserved by the caller); each returns the
// offset after what it wrote.

/** Pre-encoded bytes. */
/** Text known to be ASCII. */
export function putAscii(b: Uint8Array, n: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[n++] = s.charCodeAt(i);
  return n;
}

/** A number as JSON writes it. */
export function putInt(b: Uint8Array, n: number, v: number): number {
  if (!(v >= 0 && v < 1e15 && Math.floor(v) === v)) return putAscii(b, n, String(v));
  return putDigits(b, n, v);
}

/** A number 0..255 in decimal. */
function putOctet(b: Uint8Array, n: number, v: number): number {
  if (v >= 100) {
    const h = (v / 100) | 0;
    const t = ((v / 10) | 0) - h * 10;
    b[n] = 48 + h;
    b[n + 1] = 48 + t;
    b[n + 2] = 48 + v - h * 100 - t * 10;
    return n + 3;
  }
  if (v >= 10) {
    const t = (v / 10) | 0;
    b[n] = 48 + t;
    b[n + 1] = 48 + v - t * 10;
    return n + 2;
  }
  b[n] = 48 + v;
  return n + 1;
}

/** An IPv4 address word as dotted text. */
export function putIpv4(b: Uint8Array, n: number, a: number): number {
  n = putOctet(b, n, a >>> 24);
  b[n++] = 0x2e;
  n = putOctet(b, n, (a >>> 16) & 255);
  b[n++] = 0x2e;
  n = putOctet(b, n, (a >>> 8) & 255);
  b[n++] = 0x2e;
  return putOctet(b, n, a & 255);
}

/** Two hex digits of a byte. */
function putHex2(b: Uint8Array, n: number, v: number): number {
  b[n] = HEX_DIGIT[v >>> 4];
  b[n + 1] = HEX_DIGIT[v & 15];
  return n + 2;
}

/** A MAC address (16 high bits, 32 low bits) as aa:bb:cc:dd:ee:ff. */
export function putMac(b: Uint8Array, n: number, hi: number, lo: number): number {
  n = putHex2(b, n, hi >>> 8);
  b[n++] = 0x3a;
  n = putHex2(b, n, hi & 255);
  b[n++] = 0x3a;
  n = putHex2(b, n, lo >>> 24);
  b[n++] = 0x3a;
  n = putHex2(b, n, (lo >>> 16) & 255);
  b[n++] = 0x3a;
  n = putHex2(b, n, (lo >>> 8) & 255);
  b[n++] = 0x3a;
  return putHex2(b, n, lo & 255);
}

/** A 32-bit word as 8 hex digits. */
function putHex8(b: Uint8Array, n: number, w: number): number {
  for (let s = 28; s >= 0; s -= 4) b[n++] = HEX_DIGIT[(w >>> s) & 15];
  return n;
}

/** flowIdFrom's 16 hex digits. */
function putFlowId(b: Uint8Array, n: number, seed: [number, number], index: number, depth: number): number {
  flowIdHash(seed, index, depth);
  n = putHex8(b, n, idH1);
  return putHex8(b, n, idH2);
}

/** isoMs(ms), the date and time of day from the per-second cache. */
function putIso(b: Uint8Array, n: number, ms: number): number {
  if (!(ms >= -8.6399e15 && ms <= 8.64e15) || Math.floor(ms) !== ms) return putAscii(b, n, isoMs(ms));
  const sec = Math.floor(ms / 1000);
  n = putRun(b, n, isoHeadBytes(sec));
  const frac = ms - sec * 1000;
  const h = (frac / 100) | 0;
  const t = ((frac / 10) | 0) - h * 10;
  b[n] = 48 + h;
  b[n + 1] = 48 + t;
  b[n + 2] = 48 + frac - h * 100 - t * 10;
  b[n + 3] = 0x5a; // Z
  return n + 4;
}

// the constant parts of a flow line, as bytes
const J_START = run('{"kind":"flow","start":"');
const J_END = run('","end":"');
const J_PROTO = run('","proto":"');
const J_SRC = run('","src":"');
const J_SPORT = run('","sport":');
const J_DST = run(',"dst":"');
const J_DST_AFTER_SRC = run('","dst":"');
const J_DPORT = run('","dport":');
const J_ICMP_TYPE = run(',"icmp_type":');
const J_ICMP_CODE = run(',"icmp_code":');
const J_PKTS = run(',"pkts":');
const J_BYTES = run(',"bytes":');
const J_RPKTS = run(',"rpkts":');
const J_RBYTES = run(',"rbytes":');
const J_FLAGS = run(',"flags":"');
const J_RFLAGS = run(',"rflags":"');
const J_STATE = run(',"state":"');
const J_SMAC = run(',"smac":"');
const J_DMAC = run(',"dmac":"');
const J_VLAN = run(',"vlan":');
const J_CID = run(',"community_id":"');
const J_ID = run(',"id":"');
/** the protocol's name as the line writes it, at proto + 1 (ARP's -1 at 0) */
const PROTO_JSON: Run[] = Array.from({ length: 257 }, (_, i) => run(protoName(i - 1)));
const J_QUOTE = run('"');
const J_NONE = run('');
/** UDP_STATE[4 + (pkts > 0) + 2 * (rpkts > 0)]: the state member of a UDP flow; nothing at 0-3 */
const UDP_STATE = [J_NONE, J_NONE, J_NONE, J_NONE, run(',"state":"OTH"'), run(',"state":"S0"'), run(',"state":"SHR"'), run(',"state":"SF"')];

const HEX_DIGIT = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

function isDnsPort(p: number): boolean {
  return p === 53 || p === 5353 || p === 5355;
}

function isAlwaysPort(p: number): boolean {
  return p === 53 || p === 67 || p === 68 || p === 5353 || p === 546 || p === 547;
}

function fragKey(p: Packet): string {
  const b = p.buf;
  const n = p.ipVer === 6 ? 16 : 4;
  let s = `${p.proto}.${p.fragId}`;
  for (let i = 0; i < n; i++) s += '.' + b[p.srcOff + i];
  for (let i = 0; i < n; i++) s += '.' + b[p.dstOff + i];
  return s;
}

export function protoName(p: number): string {
  switch (p) {
    case 6: return 'tcp';
    case 17: return 'udp';
    case 1: return 'icmp';
    case 58: return 'icmp6';
    case -1: return 'arp';
  }
  return String(p);
}

/** Zeek's conn_state (base/protocols/conn/main.zeek) from the endpoint states. */
function tcpState(f: FlowState): string {
  const os = f.os;
  const rs = f.rs;
  const oInactive = os === INACTIVE || os === PARTIAL;
  const rInactive = rs === INACTIVE || rs === PARTIAL;
  if (rs === RESET) {
    if (os === SYN_SENT || os === SYN_ACK_SENT || (os === RESET && f.oSize === 0 && f.rSize === 0)) return 'REJ';
    if (oInactive) return 'RSTRH';
    return 'RSTR';
  }
  if (os === RESET) {
    if (rInactive) return f.rstos0 === 3 ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === CLOSED && os === CLOSED) return 'SF';
  if (os === CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === SYN_SENT && rs === INACTIVE) return 'S0';
  if (os === ESTABLISHED && rs === ESTABLISHED) return 'S1';
  return 'OTH';
}

function v6text(a0: number, a1: number, a2: number, a3: number): string {
  return formatIPv6Words([a0 >>> 16, a0 & 0xffff, a1 >>> 16, a1 & 0xffff, a2 >>> 16, a2 & 0xffff, a3 >>> 16, a3 & 0xffff]);
}

/** room for one Community ID as text (record()) */
const CID_TEXT = Buffer.alloc(32);

/** The Community ID of an IP flow (proto ≥ 0) as ASCII into b at n; returns the offset after it. */
function putFlowCommunityId(b: Uint8Array, n: number, f: FlowState): number {
  const proto = f.proto;
  const kind = PROTO_KIND[proto & 255];
  // ICMP hashes its type and code in place of ports; one call for every kind (see PROTO_KIND)
  const type = f.icmpType < 0 ? 0 : f.icmpType;
  const code = f.icmpCode < 0 ? 0 : f.icmpCode;
  const sp = kind === K_ICMP ? type : kind === K_PORTS ? f.sport : 0;
  const dp = kind === K_ICMP ? code : kind === K_PORTS ? f.dport : 0;
  return putCommunityId(b, n, proto, f.v6, f.a0, f.a1, f.a2, f.a3, f.b0, f.b1, f.b2, f.b3, sp, dp);
}

/** `,"app":"NAME"` as bytes per application name (a handful of names: cached); undefined when not ASCII */
const APP_JSON = new Map<string, Run>();
function appJson(app: string): Run | undefined {
  let j = APP_JSON.get(app);
  if (j === undefined) {
    const text = ',"app":' + JSON.stringify(app);
    if (/[^\x00-\x7f]/.test(text)) return undefined;
    j = run(text);
    if (APP_JSON.size < 1024) APP_JSON.set(app, j);
  }
  return j;
}

function macText(hi: number, lo: number): string {
  return `${HEX2[hi >>> 8]}:${HEX2[hi & 255]}:${HEX2[lo >>> 24]}:${HEX2[(lo >>> 16) & 255]}:${HEX2[(lo >>> 8) & 255]}:${HEX2[lo & 255]}`;
}

/** A stable id: FNV-1a (64-bit, as two 32-bit halves) of origin, packet index and tunnel depth. */
export function flowId(origin: string, index: number, depth: number): string {
  return flowIdFrom(originHash(origin), index, depth);
}

/** The FNV state after the origin, computed once per source. */
export function originHash(origin: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < origin.length; i++) {
    const c = origin.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x0100019d) ^ (h1 >>> 7);
  }
  return [h1, h2];
}

/** the two halves of the last flowIdHash */
let idH1 = 0;
let idH2 = 0;

function flowIdHash(seed: [number, number], index: number, depth: number): void {
  let h1 = seed[0];
  let h2 = seed[1];
  if (!(index >= 0 && index < 0x80000000 && (index | 0) === index && depth >= 0 && depth < 10 && (depth | 0) === depth)) {
    const s = `\u0000${index}\u0000${depth}`;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x0100019d) ^ (h1 >>> 7);
    }
  } else {
    // the same characters without making the string: NUL, the decimal digits of index, NUL, depth's digit
    h1 = Math.imul(h1, 0x01000193);
    h2 = Math.imul(h2, 0x0100019d) ^ (h1 >>> 7);
    let p = 1;
    while (p <= index / 10) p *= 10;
    for (; p >= 1; p = (p / 10) | 0) {
      const c = 48 + (((index / p) | 0) % 10);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x0100019d) ^ (h1 >>> 7);
    }
    h1 = Math.imul(h1, 0x01000193);
    h2 = Math.imul(h2, 0x0100019d) ^ (h1 >>> 7);
    const c = 48 + depth;
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x0100019d) ^ (h1 >>> 7);
  }
  idH1 = h1;
  idH2 = h2;
}

function flowIdFrom(seed: [number, number], index: number, depth: number): string {
  flowIdHash(seed, index, depth);
  const h1 = idH1;
  const h2 = idH2;
  return HEX2[h1 >>> 24] + HEX2[(h1 >>> 16) & 255] + HEX2[(h1 >>> 8) & 255] + HEX2[h1 & 255] + HEX2[h2 >>> 24] + HEX2[(h2 >>> 16) & 255] + HEX2[(h2 >>> 8) & 255] + HEX2[h2 & 255];
}

const PAD2: string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3: string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** isoMs's text up to the second ("YYYY-MM-DDTHH:MM:SS.") of the last few seconds asked for */
const ISO_SLOTS = 256;
const isoSec = new Float64Array(ISO_SLOTS).fill(NaN);
const isoHead: string[] = new Array<string>(ISO_SLOTS).fill('');
const isoHeadB: Run[] = new Array<Run>(ISO_SLOTS).fill(run(''));

function isoSlot(sec: number): number {
  const slot = sec & (ISO_SLOTS - 1);
  if (isoSec[slot] !== sec) {
    const t = isoMs(sec * 1000);
    isoSec[slot] = sec;
    isoHead[slot] = t.slice(0, t.length - 4);
    isoHeadB[slot] = run(isoHead[slot]);
  }
  return slot;
}

/** isoMs's text up to the second of `sec` (seconds since 1970, within Date's range) as bytes. */
function isoHeadBytes(sec: number): Run {
  return isoHeadB[isoSlot(sec)];
}

/** isoMs(ms) with the date and time of day cached per second: flows end in time order, so most seconds repeat. */
export function isoCached(ms: number): string {
  if (!(ms >= -8.6399e15 && ms <= 8.64e15) || Math.floor(ms) !== ms) return isoMs(ms);
  const sec = Math.floor(ms / 1000);
  return isoHead[isoSlot(sec)] + PAD3[ms - sec * 1000] + 'Z';
}

/** ISO 8601 UTC with milliseconds by calendar arithmetic (Hinnant's civil_from_days), without a Date. */
export function isoMs(ms: number): string {
  // a damaged time stamp must not throw: clamp to what Date can show
  const t = ms >= -8.64e15 && ms <= 8.64e15 ? Math.floor(ms) : ms > 0 ? 8.64e15 : -8.64e15;
  const days = Math.floor(t / 86_400_000);
  let rem = t - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 0 || y > 9999) return new Date(t).toISOString();
  const hh = Math.floor(rem / 3_600_000);
  rem -= hh * 3_600_000;
  const mm = Math.floor(rem / 60_000);
  rem -= mm * 60_000;
  const ss = Math.floor(rem / 1000);
  const mss = rem - ss * 1000;
  return `${y < 1000 ? String(y).padStart(4, '0') : y}-${PAD2[m]}-${PAD2[d]}T${PAD2[hh]}:${PAD2[mm]}:${PAD2[ss]}.${PAD3[mss]}Z`;
}
