// --format syslog: RFC 5424 messages, one per record:
//   <PRI>1 TIMESTAMP HOSTNAME fir PROCID MSGID [fir@32473 key="value" …] MSG
// PRI = facility (--facility, default local0) × 8 + severity from the priority (critical 2,
// high 3, medium 4, low 5, info 6; flows 6). TIMESTAMP is the record's start, MSGID the
// method (`flow` for flows), MSG the event's detail. Parameter values escape `"`, `\` and `]`
// (RFC 5424 §6.3.3); control characters in values and MSG are written as visible escapes so a
// message is always one line. Output: stdout, --out FILE (one message per line), or
// --to udp://HOST:PORT / tcp://HOST:PORT (transport.ts: RFC 6587 octet counting over TCP,
// queued and resent across reconnects).
import { hostname } from 'node:os';
import { UsageError } from '../errors.js';
import type { InputRecord } from '../io.js';
import { durationMs } from '../options.js';
import { escapeControl } from '../term.js';
import { openTransport, parseTarget, type Transport } from './transport.js';
import type { ExportWriter } from './types.js';

export const SD_ID = 'fir@32473';

const SEVERITY: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

export const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  ntp: 12, security: 13, console: 14, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

export function parseFacility(v: unknown): number {
  if (v === undefined) return FACILITIES.local0!;
  const s = String(v).toLowerCase();
  if (s in FACILITIES) return FACILITIES[s]!;
  if (/^\d+$/.test(s) && Number(s) <= 23) return Number(s);
  throw new UsageError(`--facility: expected one of ${Object.keys(FACILITIES).join(', ')} or 0-23, got ${String(v)}`);
}

/** PRINTUSASCII (33-126) only, at most max characters; `-` (NILVALUE) when nothing is left. */
export function printable(s: string | undefined, max: number): string {
  if (!s) return '-';
  let out = '';
  for (let i = 0; i < s.length && out.length < max; i++) {
    const c = s.charCodeAt(i);
    if (c >= 33 && c <= 126) out += s[i];
  }
  return out || '-';
}

/** An SD-PARAM value: `"` `\` `]` escaped, control characters made visible. */
export function sdValue(s: string): string {
  return escapeControl(s).replace(/["\\\]]/g, (c) => '\\' + c);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length ? v : undefined);

const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

export interface SyslogHeader {
  facility: number;
  hostname: string;
  procid: string;
}

function params(pairs: [string, unknown][]): string {
  let sd = '[' + SD_ID;
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '') continue;
    const text = Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (text === '') continue;
    sd += ` ${k}="${sdValue(text)}"`;
  }
  return sd + ']';
}

/** The RFC 5424 message of one record. */
export function syslogMessage(r: Record<string, unknown>, h: SyslogHeader): string {
  const kind = str(r.kind);
  const sev = kind === 'event' ? (SEVERITY[String(r.priority)] ?? 6) : 6;
  const start = str(r.start);
  const ts = start && TS.test(start) ? start : '-';
  let msgid: string;
  let sd: string;
  let msg: string | undefined;
  if (kind === 'event') {
    msgid = printable(str(r.method), 32);
    const attack = (r.attack && typeof r.attack === 'object' ? r.attack : {}) as Record<string, unknown>;
    const cmdb = (r.cmdb && typeof r.cmdb === 'object' ? r.cmdb : {}) as Record<string, unknown>;
    sd = params([
      ['id', r.id], ['method', r.method], ['submethod', r.submethod], ['priority', r.priority], ['title', r.title],
      ['src', r.src], ['targets', r.targets], ['target_count', r.target_count], ['ports', r.ports], ['proto', r.proto],
      ['start', r.start], ['end', r.end], ['tactic', attack.tactic], ['technique', attack.technique],
      ['src_host', r.src_host], ['src_host_at_detection', r.src_host_at_detection], ['src_mac', r.src_mac], ['src_user', r.src_user],
      ['cmdb_url', cmdb.url],
    ]);
    msg = str(r.detail);
  } else if (kind === 'flow') {
    msgid = 'flow';
    sd = params([
      ['id', r.id], ['proto', r.proto], ['src', r.src], ['sport', r.sport], ['dst', r.dst], ['dport', r.dport],
      ['pkts', r.pkts], ['bytes', r.bytes], ['rpkts', r.rpkts], ['rbytes', r.rbytes], ['flags', r.flags], ['rflags', r.rflags],
      ['state', r.state], ['app', r.app], ['start', r.start], ['end', r.end], ['community_id', r.community_id],
    ]);
    const sp = r.sport !== undefined ? `:${r.sport}` : '';
    const dp = r.dport !== undefined ? `:${r.dport}` : '';
    msg = `${String(r.proto ?? '?')} ${String(r.src ?? '?')}${sp} -> ${String(r.dst ?? '?')}${dp}, ${String(r.pkts ?? 0)} packets, ${String(r.bytes ?? 0)} bytes`;
  } else {
    msgid = printable(kind, 32);
    sd = params(Object.entries(r).filter(([k]) => /^[!-~]{1,32}$/.test(k) && !/[=\]"\s]/.test(k)));
    msg = undefined;
  }
  const head = `<${h.facility * 8 + sev}>1 ${ts} ${h.hostname} fir ${h.procid} ${msgid} ${sd}`;
  return msg === undefined ? head : `${head} ${escapeControl(msg)}`;
}

const writer: ExportWriter = {
  output: 'stream',
  acceptsTo: true,
  async run(records, opts, ctx) {
    const a = opts.args;
    const h: SyslogHeader = {
      facility: parseFacility(a.facility),
      hostname: printable(str(a.hostname) ?? hostname(), 255),
      procid: printable(String(process.pid), 128),
    };
    const drainMs = a.drain !== undefined ? durationMs(a.drain as string, 'drain') : 60_000;
    let transport: Transport | undefined;
    if (opts.to !== undefined) {
      const target = parseTarget(opts.to);
      transport = openTransport(target, { warn: (m) => ctx.diag.warn(m) });
    }
    let status = 0;
    try {
      for await (const batch of records) {
        let chunk = '';
        for (const item of batch as InputRecord[]) {
          const line = syslogMessage(item.rec, h);
          if (transport) {
            const p = transport.send(line);
            if (p) await p;
          } else chunk += line + '\n';
        }
        if (chunk) {
          const p = ctx.out.text(chunk);
          if (p) await p;
        }
        if (ctx.signal.aborted) break;
      }
    } finally {
      if (transport) {
        const rep = await transport.close(drainMs, ctx.signal);
        if (rep.undelivered > 0) {
          ctx.diag.skip(opts.to!, undefined, `${rep.undelivered} messages could not be delivered (server unreachable until the end of --drain)`);
          status = 1;
        }
      }
    }
    return status;
  },
};

export default writer;
