// How the main thread hands parsed flows to the worker of --threads 2 without the worker parsing
// the JSON again: per chunk, the numbers of each flow in a Float64Array, its short strings as
// numbers into a string table both threads keep (addresses, protocols, flags, MACs repeat), its
// id in an array; a flow with an object field (dns, dhcp, arp) or a field of an unusual type goes
// as its line of text, parsed in the worker. The worker's flow objects carry the fields the
// methods read (FLOW_FIELDS; a test checks the methods read no other), all of one shape.
import type { Flow } from '../record.js';

/** The flow fields the methods read. Flow times come to them as `t` and `tEnd`, not `start`/`end`. */
export const FLOW_FIELDS = ['proto', 'src', 'dst', 'sport', 'dport', 'icmp_type', 'pkts', 'bytes', 'rpkts', 'rbytes', 'flags', 'rflags', 'state', 'app', 'smac', 'dmac', 'id', 'dns', 'dhcp', 'arp'] as const;

/** per flow: seq, t, tEnd, sport, dport, icmp_type, pkts, bytes, rpkts, rbytes (NaN: absent), id (index in ids, NaN: none); t NaN: sent as text, sport = its index */
const NUMS = 11;
/** per flow: proto, src, dst, flags, rflags, state, app, smac, dmac (-1: absent) */
const STRS = 9;
/** the string table starts again from empty beyond this many entries */
const TABLE_MAX = 1 << 18;
/** flows per message at most (a chunk holds about 3,500 bench flows) */
const START_FLOWS = 4096;

export interface FlowBatch {
  nums: Float64Array;
  strs: Int32Array;
  /** flows in the batch */
  n: number;
  /** strings new to the table, in id order; `reset`: the table starts again before them */
  fresh: string[];
  reset: boolean;
  ids: string[];
  texts: string[];
}

const num = (v: unknown): boolean => v === undefined || typeof v === 'number';
const str = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** The main thread's side: flows in, one batch per chunk out. */
export class FlowEncoder {
  private readonly table = new Map<string, number>();
  private nums = new Float64Array(START_FLOWS * NUMS);
  private strs = new Int32Array(START_FLOWS * STRS);
  private n = 0;
  private fresh: string[] = [];
  private reset = false;
  private ids: string[] = [];
  /** the last string and its id per string field: most repeat the previous flow's */
  private readonly lastStr: (string | undefined)[] = new Array<string | undefined>(STRS).fill(undefined);
  private readonly lastId = new Int32Array(STRS).fill(-1);
  private texts: string[] = [];

  private sid(v: string | undefined, slot: number): number {
    if (v === undefined) return -1;
    if (v === this.lastStr[slot]) return this.lastId[slot]!;
    const table = this.table;
    let id = table.get(v);
    if (id === undefined) {
      id = table.size;
      table.set(v, id);
      this.fresh.push(v);
    }
    this.lastStr[slot] = v;
    this.lastId[slot] = id;
    return id;
  }

  /** A flow that passed the engine's checks (line `seq`, its times, its line's text). */
  add(f: Flow, seq: number, t: number, tEnd: number, text: string): void {
    if (this.n * NUMS === this.nums.length) {
      const nums = new Float64Array(this.nums.length * 2);
      nums.set(this.nums);
      this.nums = nums;
      const strs = new Int32Array(this.strs.length * 2);
      strs.set(this.strs);
      this.strs = strs;
    }
    const o = this.n * NUMS;
    const nums = this.nums;
    nums[o] = seq;
    this.n++;
    const sport = f.sport;
    const dport = f.dport;
    const icmp = f.icmp_type;
    const rpkts = f.rpkts;
    const rbytes = f.rbytes;
    const state = f.state;
    const app = f.app;
    const smac = f.smac;
    const dmac = f.dmac;
    // the engine checked the other fields' types; these it does not check
    if (f.dns !== undefined || f.dhcp !== undefined || f.arp !== undefined || !num(icmp) || !str(smac) || !str(dmac) || !str(state) || !str(app)) {
      nums[o + 1] = NaN;
      nums[o + 3] = this.texts.length;
      this.texts.push(text);
      return;
    }
    nums[o + 1] = t;
    nums[o + 2] = tEnd;
    nums[o + 3] = sport === undefined ? NaN : sport;
    nums[o + 4] = dport === undefined ? NaN : dport;
    nums[o + 5] = icmp === undefined ? NaN : icmp;
    nums[o + 6] = f.pkts;
    nums[o + 7] = f.bytes;
    nums[o + 8] = rpkts === undefined ? NaN : rpkts;
    nums[o + 9] = rbytes === undefined ? NaN : rbytes;
    const s = (this.n - 1) * STRS;
    const strs = this.strs;
    strs[s] = this.sid(f.proto, 0);
    strs[s + 1] = this.sid(f.src, 1);
    strs[s + 2] = this.sid(f.dst, 2);
    strs[s + 3] = this.sid(f.flags, 3);
    strs[s + 4] = this.sid(f.rflags, 4);
    strs[s + 5] = this.sid(state as string | undefined, 5);
    strs[s + 6] = this.sid(app as string | undefined, 6);
    strs[s + 7] = this.sid(smac as string | undefined, 7);
    strs[s + 8] = this.sid(dmac as string | undefined, 8);
    const id = f.id;
    if (id === undefined) nums[o + 10] = NaN;
    else {
      nums[o + 10] = this.ids.length;
      this.ids.push(id);
    }
  }

  /** The flows added since the last batch (the arrays are handed over: transfer their buffers). */
  take(): FlowBatch {
    const b: FlowBatch = {
      nums: this.nums.slice(0, this.n * NUMS),
      strs: this.strs.slice(0, this.n * STRS),
      n: this.n,
      fresh: this.fresh,
      reset: this.reset,
      ids: this.ids,
      texts: this.texts,
    };
    this.n = 0;
    this.fresh = [];
    this.reset = false;
    // between batches only: the flows of a batch refer to the table as it is at its end
    if (this.table.size >= TABLE_MAX) {
      this.table.clear();
      this.lastStr.fill(undefined);
      this.reset = true;
    }
    this.ids = [];
    this.texts = [];
    return b;
  }
}

/** The worker's side: each batch's flows, in order, as objects (or parsed text). */
export class FlowDecoder {
  private table: string[] = [];

  /**
   * Calls `flow(f, seq, t, tEnd)` for each flow of the batch sent as numbers, `text(rec, seq)`
   * for each sent as text.
   */
  decode(b: FlowBatch, flow: (f: Flow, seq: number, t: number, tEnd: number) => void, text: (rec: Record<string, unknown>, seq: number) => void): void {
    if (b.reset) this.table = [];
    const table = this.table;
    for (const s of b.fresh) table.push(s);
    const nums = b.nums;
    const strs = b.strs;
    const ids = b.ids;
    const S = (i: number) => (i < 0 ? undefined : table[i]);
    const N = (v: number) => (v === v ? v : undefined);
    for (let i = 0; i < b.n; i++) {
      const o = i * NUMS;
      const seq = nums[o]!;
      const t = nums[o + 1]!;
      if (t !== t) {
        text(JSON.parse(b.texts[nums[o + 3]!]!) as Record<string, unknown>, seq);
        continue;
      }
      const s = i * STRS;
      const f = {
        kind: 'flow',
        proto: table[strs[s]!]!,
        src: S(strs[s + 1]!),
        dst: S(strs[s + 2]!),
        sport: N(nums[o + 3]!),
        dport: N(nums[o + 4]!),
        icmp_type: N(nums[o + 5]!),
        pkts: nums[o + 6]!,
        bytes: nums[o + 7]!,
        rpkts: N(nums[o + 8]!),
        rbytes: N(nums[o + 9]!),
        flags: S(strs[s + 3]!),
        rflags: S(strs[s + 4]!),
        state: S(strs[s + 5]!),
        app: S(strs[s + 6]!),
        smac: S(strs[s + 7]!),
        dmac: S(strs[s + 8]!),
        id: nums[o + 10]! === nums[o + 10]! ? ids[nums[o + 10]!] : undefined,
        dns: undefined,
        dhcp: undefined,
        arp: undefined,
      } as unknown as Flow;
      flow(f, seq, t, nums[o + 2]!);
    }
  }
}
