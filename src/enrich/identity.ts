// Who and what a host is, from files the analyst brings: a users CSV (address or MAC, user,
// from, to), DHCP lease files (ISC dhcpd and dnsmasq) and a CMDB export (CSV keyed by address
// or MAC). Each file is read whole: these files grow with the number of hosts.
import { parse } from 'csv-parse/sync';
import type { Diagnostics } from '../diag.js';
import { UsageError } from '../errors.js';
import { canonicalIp, canonicalMac } from '../net.js';
import type { HostTable } from './hosts.js';
import { cleanName } from './hosts.js';

/** A time in a file: ISO 8601 (UTC when no zone is given) or seconds since the epoch; empty is open. */
export function fileTime(s: string | undefined): number | undefined {
  const t = (s ?? '').trim();
  if (t === '') return undefined;
  if (/^\d{9,11}(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const iso = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(t) ? t.replace(' ', 'T') + (t.length > 10 ? 'Z' : 'T00:00:00Z') : t;
  const v = Date.parse(iso);
  return Number.isNaN(v) ? NaN : v;
}

interface CsvRow {
  cells: string[];
  line: number;
}

/** Parse CSV text (csv-parse), each row with its line number; a syntax error is a usage error. */
export function csvRows(text: string, source: string): CsvRow[] {
  try {
    const recs = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true, comment: '#', info: true, bom: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return recs.map((r) => ({ cells: r.record, line: r.info.lines }));
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new UsageError(`${source}${e.lines ? ':' + e.lines : ''}: not CSV: ${e.message}`);
  }
}

interface UserSpan {
  user: string;
  from: number;
  to: number;
}

/** Users by address or MAC, each with the span of time the binding holds. */
export class Users {
  private readonly byKey = new Map<string, UserSpan[]>();
  size = 0;

  /** Load `address,user,from,to` (a header row naming the columns is optional). */
  load(text: string, source: string, diag: Diagnostics): void {
    const rows = csvRows(text, source);
    let col = { key: 0, user: 1, from: 2, to: 3 };
    if (rows.length && !keyOf(rows[0]!.cells[0] ?? '')) {
      const h = rows.shift()!.cells.map((c) => c.toLowerCase());
      const find = (names: string[]) => h.findIndex((c) => names.includes(c));
      col = { key: find(['address', 'ip', 'mac', 'host', 'addr']), user: find(['user', 'username', 'login', 'name']), from: find(['from', 'start', 'since']), to: find(['to', 'end', 'until']) };
      if (col.key < 0 || col.user < 0) throw new UsageError(`${source}:1: the header needs an address (or ip, mac) column and a user column`);
    }
    for (const r of rows) {
      const key = keyOf(r.cells[col.key] ?? '');
      const user = (r.cells[col.user] ?? '').trim();
      if (!key) {
        diag.skip(source, r.line, `not an IP or MAC address: ${(r.cells[col.key] ?? '').slice(0, 60)}`);
        continue;
      }
      if (!user) {
        diag.skip(source, r.line, 'no user');
        continue;
      }
      const from = col.from >= 0 ? fileTime(r.cells[col.from]) : undefined;
      const to = col.to >= 0 ? fileTime(r.cells[col.to]) : undefined;
      if (Number.isNaN(from) || Number.isNaN(to)) {
        diag.skip(source, r.line, 'from/to must be ISO 8601 times or epoch seconds');
        continue;
      }
      this.add(key, { user, from: from ?? -Infinity, to: to ?? Infinity });
    }
  }

  add(key: string, span: UserSpan): void {
    let l = this.byKey.get(key);
    if (!l) this.byKey.set(key, (l = []));
    l.push(span);
    this.size++;
  }

  /** The user bound to the address (or else its MAC) at time t: the latest binding that holds then. */
  at(ip: string, mac: string | undefined, t: number): string | undefined {
    return this.pick(this.byKey.get(ip), t) ?? (mac ? this.pick(this.byKey.get(mac), t) : undefined);
  }

  private pick(l: UserSpan[] | undefined, t: number): string | undefined {
    if (!l) return undefined;
    let best: UserSpan | undefined;
    for (const s of l) {
      const holds = Number.isNaN(t) ? true : s.from <= t && t < s.to;
      if (holds && (!best || s.from >= best.from)) best = s;
    }
    return best?.user;
  }
}

/** An address or MAC key as stored: canonical IP text or canonical MAC. */
export function keyOf(s: string): string | undefined {
  return canonicalIp(s) ?? canonicalMac(s);
}

/** ISC dhcpd `lease ADDR { … }` blocks or dnsmasq lines (`EXPIRY MAC ADDR NAME CLIENTID`). */
export function loadLeases(text: string, source: string, hosts: HostTable, diag: Diagnostics): number {
  let n = 0;
  if (/^\s*lease\s+\S+\s*\{/m.test(text)) {
    const re = /^\s*lease\s+(\S+)\s*\{([^}]*)\}/gm;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      const line = text.slice(0, m.index).split('\n').length + (m[0].match(/^\s*/)![0].split('\n').length - 1);
      const ip = canonicalIp(m[1]!);
      if (!ip) {
        diag.skip(source, line, `lease of something that is not an address: ${m[1]!.slice(0, 60)}`);
        continue;
      }
      const body = m[2]!;
      const starts = /\bstarts\s+\d\s+(\d{4})\/(\d{2})\/(\d{2})\s+(\d{2}:\d{2}:\d{2})\s*;/.exec(body);
      const t = starts ? Date.parse(`${starts[1]}-${starts[2]}-${starts[3]}T${starts[4]}Z`) : -Infinity;
      const hw = /\bhardware\s+ethernet\s+([0-9a-fA-F:]+)\s*;/.exec(body);
      const mac = hw ? canonicalMac(hw[1]!) : undefined;
      const name = /\bclient-hostname\s+"((?:[^"\\]|\\.)*)"\s*;/.exec(body);
      if (mac) hosts.addMac(ip, mac, t);
      if (name) hosts.addName(ip, cleanName(name[1]!.replace(/\\(.)/g, '$1'), false), t);
      n++;
    }
    return n;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l || l.startsWith('#') || l.startsWith('duid ')) continue;
    const f = l.split(/\s+/);
    const ip = f.length >= 4 ? canonicalIp(f[2]!) : undefined;
    const mac = f.length >= 4 ? canonicalMac(f[1]!) : undefined;
    if (!/^\d+$/.test(f[0] ?? '') || !ip) {
      diag.skip(source, i + 1, 'not a dnsmasq lease line (EXPIRY MAC ADDRESS NAME CLIENT-ID) nor an ISC dhcpd lease');
      continue;
    }
    // dnsmasq keeps only the expiry: the binding is taken as known from the start
    if (mac) hosts.addMac(ip, mac, -Infinity);
    if (f[3] !== '*') hosts.addName(ip, cleanName(f[3], false), -Infinity);
    n++;
  }
  return n;
}

/** CMDB rows keyed by address and by MAC (the columns named ip/address and mac). */
export class Cmdb {
  private readonly byIp = new Map<string, Record<string, string>>();
  private readonly byMac = new Map<string, Record<string, string>>();
  size = 0;

  load(text: string, source: string, diag: Diagnostics, keyColumn?: string): void {
    const rows = csvRows(text, source);
    const head = rows.shift();
    if (!head) return;
    const names = head.cells.map((c) => c.trim());
    const lower = names.map((c) => c.toLowerCase());
    let ipCol = -1;
    let macCol = -1;
    if (keyColumn) {
      const k = lower.indexOf(keyColumn.toLowerCase());
      if (k < 0) throw new UsageError(`--cmdb-key: ${source} has no column ${keyColumn}`);
      if (/mac/i.test(keyColumn)) macCol = k;
      else ipCol = k;
    } else {
      ipCol = lower.findIndex((c) => ['ip', 'address', 'ip_address', 'ipaddress', 'addr'].includes(c));
      macCol = lower.findIndex((c) => ['mac', 'mac_address', 'macaddress', 'hwaddr'].includes(c));
    }
    if (ipCol < 0 && macCol < 0) throw new UsageError(`${source}:${head.line}: the CMDB header needs an ip (or address) or mac column`);
    for (const r of rows) {
      const row: Record<string, string> = {};
      names.forEach((n, i) => {
        const v = r.cells[i];
        if (n && v !== undefined && v !== '') row[n] = v;
      });
      const ip = ipCol >= 0 && r.cells[ipCol] ? canonicalIp(r.cells[ipCol]!) : undefined;
      const mac = macCol >= 0 && r.cells[macCol] ? canonicalMac(r.cells[macCol]!) : undefined;
      if (!ip && !mac) {
        diag.skip(source, r.line, 'no usable ip or mac in this row');
        continue;
      }
      if (ip) this.byIp.set(ip, row);
      if (mac) this.byMac.set(mac, row);
      this.size++;
    }
  }

  find(ip: string, mac: string | undefined): Record<string, string> | undefined {
    return this.byIp.get(ip) ?? (mac ? this.byMac.get(mac) : undefined);
  }
}

/** `--cmdb-url` with {ip}, {mac}, {host} replaced by their URL-encoded values. */
export function compileUrlTemplate(tpl: string): (v: { ip: string; mac?: string; host?: string }) => string {
  const bad = /\{([^}]*)\}/g;
  let m: RegExpExecArray | null;
  while ((m = bad.exec(tpl))) if (!['ip', 'mac', 'host'].includes(m[1]!)) throw new UsageError(`--cmdb-url: unknown placeholder {${m[1]}} (use {ip}, {mac}, {host})`);
  if (!/^https?:\/\//i.test(tpl)) throw new UsageError('--cmdb-url: must start with http:// or https://');
  return (v) => tpl.replace(/\{(ip|mac|host)\}/g, (_x, k: 'ip' | 'mac' | 'host') => encodeURIComponent(v[k] ?? ''));
}
