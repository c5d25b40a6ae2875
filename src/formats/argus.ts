// Argus client output: `ra -c , -n -u -s …` CSV with ra's header row (StartTime, SrcAddr, …).
// Argus flows are bidirectional (SrcPkts/DstPkts). Argus counts bytes on the wire, link header
// included: where the record has MAC addresses (Ethernet) fir subtracts the 14-byte Ethernet
// header per packet to get the IP bytes of the contract.
import type { Readable } from 'node:stream';
import type { Flow } from '../record.js';
import { pairBatches } from './netflow/biflow.js';
import { badTimes, IdHasher, makeFlow, protoNumber, type FlowFacts } from './netflow/normalize.js';
import { intOf, lineBatches, parseDateTime, parseEpochSeconds } from './netflow/text.js';
import type { FormatReader, ReadContext } from './types.js';

export function sniffArgus(head: Buffer): boolean {
  const first = head.subarray(0, 2048).toString('latin1').split('\n', 1)[0];
  return first.includes(',') && first.includes('SrcAddr') && first.includes('DstAddr') && (first.includes('StartTime') || first.includes('LastTime'));
}

/** Common service names ra prints without -n. */
const SERVICES: Record<string, number> = {
  ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, bootps: 67, bootpc: 68, http: 80, pop3: 110, ntp: 123, 'netbios-ns': 137,
  'netbios-ssn': 139, imap: 143, snmp: 161, ldap: 389, https: 443, 'microsoft-ds': 445, submission: 587, imaps: 993, pop3s: 995,
  'ms-sql-s': 1433, mysql: 3306, 'ms-wbt-server': 3389, postgresql: 5432, 'http-alt': 8080,
};

function port(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  if (t.startsWith('0x')) {
    const v = parseInt(t.slice(2), 16);
    return Number.isNaN(v) || v > 65535 ? undefined : v;
  }
  const v = intOf(t);
  if (v !== undefined) return v <= 65535 ? v : undefined;
  return SERVICES[t];
}

function time(s: string): number {
  const t = s.trim();
  const e = parseEpochSeconds(t);
  return Number.isNaN(e) ? parseDateTime(t) : e;
}

interface Cols {
  [k: string]: number;
}

const MAC = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;
function mac(s: string | undefined): string | undefined {
  if (!s || !MAC.test(s.trim())) return undefined;
  const m = s.trim().toLowerCase().split(':').map((p) => p.padStart(2, '0')).join(':');
  return m === '00:00:00:00:00:00' ? undefined : m;
}

/** A flow of one ra row; undefined for management records; a reason when bad. */
export function argusFlow(f: string[], c: Cols, origin: string, id?: string): Flow | string | undefined {
  const get = (k: string) => (c[k] >= 0 && c[k] < f.length ? f[c[k]].trim() : undefined);
  const protoText = get('Proto') ?? '';
  if (protoText === 'man') return undefined; // argus management records
  const proto = protoNumber(protoText);
  if (proto < 0) return `bad protocol ${protoText}`;
  const st = get('StartTime');
  const lt = get('LastTime');
  let start = st !== undefined ? time(st) : NaN;
  let end = lt !== undefined ? time(lt) : NaN;
  if (Number.isNaN(start) && !Number.isNaN(end)) start = end;
  if (Number.isNaN(start)) return `time ${st ?? lt ?? ''} has no date: write it with ra -u (epoch seconds)`;
  if (Number.isNaN(end)) {
    const dur = Number(get('Dur'));
    end = Number.isFinite(dur) ? start + Math.round(dur * 1000) : start;
  }
  const why = badTimes(start, end);
  if (why) return why;
  const src = get('SrcAddr');
  const dst = get('DstAddr');
  if (!src || !dst) return 'no SrcAddr or DstAddr';
  const spk = intOf(get('SrcPkts'));
  const dpk = intOf(get('DstPkts'));
  const sby = intOf(get('SrcBytes'));
  const dby = intOf(get('DstBytes'));
  const totP = intOf(get('TotPkts'));
  const totB = intOf(get('TotBytes'));
  const smac = mac(get('SrcMac'));
  const dmac = mac(get('DstMac'));
  const eth = smac !== undefined || dmac !== undefined;
  const ip = (b: number, p: number) => (eth ? Math.max(0, b - 14 * p) : b);
  let facts: FlowFacts;
  if (spk !== undefined && sby !== undefined) {
    facts = { startMs: start, endMs: end, proto, src, dst, pkts: spk, bytes: ip(sby, spk) };
    if (dpk !== undefined && dby !== undefined) {
      facts.rpkts = dpk;
      facts.rbytes = ip(dby, dpk);
    }
  } else if (totP !== undefined && totB !== undefined) {
    // only totals: both directions together, unidirectional as far as the contract can say
    facts = { startMs: start, endMs: end, proto, src, dst, pkts: totP, bytes: ip(totB, totP) };
  } else return 'no SrcPkts/SrcBytes or TotPkts/TotBytes';
  const sp = get('Sport');
  const dp = get('Dport');
  if (proto === 1 || proto === 58) {
    // ra writes the ICMP type in Sport (hex)
    const ty = sp !== undefined ? port(sp) : undefined;
    if (ty !== undefined && ty < 256) facts.icmpType = ty;
  } else if (proto === 6 || proto === 17 || proto === 132) {
    facts.sport = sp !== undefined ? port(sp) : undefined;
    facts.dport = dp !== undefined ? port(dp) : undefined;
    if (facts.sport === undefined || facts.dport === undefined) return `bad port ${sp ?? ''} ${dp ?? ''} (ra -n writes numbers)`;
  }
  const state = get('State');
  // REQ: a connection request that got no answer, Zeek's S0
  if (proto === 6 && state === 'REQ' && (facts.rpkts ?? 0) === 0) facts.state = 'S0';
  if (smac) facts.smac = smac;
  if (dmac) facts.dmac = dmac;
  const flow = makeFlow(facts, origin, origin, id);
  if (state) flow.argus_state = state;
  return flow;
}

async function* read(input: Readable, ctx: ReadContext): AsyncGenerator<Flow[]> {
  let cols: Cols | undefined;
  const ids = new IdHasher(`${ctx.source}:`);
  for await (const batch of lineBatches(input)) {
    const out: Flow[] = [];
    for (let k = 0; k < batch.lines.length; k++) {
      const lt = batch.lines[k];
      const ll = batch.first + k;
      if (lt.length === 0) continue;
      const f = lt.split(',');
      if (!cols) {
        cols = {};
        f.forEach((name, i) => (cols![name.trim()] = i));
        for (const k of ['StartTime', 'LastTime', 'Dur', 'Proto', 'SrcAddr', 'DstAddr', 'Sport', 'Dport', 'SrcPkts', 'DstPkts', 'SrcBytes', 'DstBytes', 'TotPkts', 'TotBytes', 'State', 'SrcMac', 'DstMac']) if (cols[k] === undefined) cols[k] = -1;
        if (cols.SrcAddr < 0 || cols.DstAddr < 0 || cols.Proto < 0) {
          ctx.diag.skip(ctx.source, ll, 'Argus csv header without SrcAddr, DstAddr and Proto: the file is skipped');
          return;
        }
        continue;
      }
      const r = argusFlow(f, cols, `${ctx.source}:${ll}`, ids.id(ll));
      if (typeof r === 'string') ctx.diag.skip(ctx.source, ll, r);
      else if (r) out.push(r);
    }
    if (out.length) yield out;
  }
}

export const argusCsv: FormatReader = {
  name: 'argus',
  describe: 'Argus ra -c , CSV with its header row (use ra -n -u)',
  sniff: sniffArgus,
  read: (input, ctx) => pairBatches(read(input, ctx), ctx.options.biflow === true),
};
