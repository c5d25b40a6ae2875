// fir export --format csv|json|cef|syslog|ecs: each output read back with a parser of its
// format (csv-parse, JSON.parse) or checked against a regex of its grammar (CEF, RFC 5424).
import { parse } from 'csv-parse/sync';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fir } from './helpers.js';

const tricky = [
  'plain',
  'with "quotes" inside',
  'comma, separated',
  'two\nlines',
  'crlf\r\nline',
  '=HYPERLINK("http://evil.example","click")',
  '+1+2',
  '-2+3',
  '@SUM(A1)',
  '\tTAB first',
  '\rCR first',
  'ünïcödé ✓ 日本',
  'back\\slash | pipe = equals ] bracket',
];

function event(i: number, detail: string): Record<string, unknown> {
  return {
    kind: 'event',
    id: `ev-${i}`,
    start: `2026-11-27T10:0${i % 10}:07.412Z`,
    end: '2026-11-27T10:44:12.781Z',
    method: 'SCANS',
    submethod: 'TCPSYN',
    title: i === 5 ? '=cmd|\' /C calc\'!A0' : 'TCP SYN scan',
    priority: ['critical', 'high', 'medium', 'low', 'info'][i % 5],
    src: i % 2 ? '2001:db8::5' : '192.168.1.5',
    targets: i % 2 ? ['2001:db8::1', '2001:db8::2'] : ['192.168.1.1', '192.168.1.2', '192.168.1.3'],
    ports: [22, 80],
    proto: 'tcp',
    detail,
    evidence: { distinct_ports: 2, flows: ['f1', 'f2'] },
    attack: { tactic: 'discovery', technique: 'T1046' },
    src_host: `host|${i}=x`,
    target_info: [{ ip: '192.168.1.1', host: 'gw' }],
  };
}

const events = tricky.map((d, i) => event(i, d));
const input = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const flow = {
  kind: 'flow', start: '2026-11-27T10:03:07.412Z', end: '2026-11-27T10:03:09.118Z', proto: 'tcp', src: '192.168.1.100', sport: 51514,
  dst: '192.168.1.225', dport: 22, pkts: 24, bytes: 3290, rpkts: 22, rbytes: 4185, flags: 'APSF', rflags: 'APSF', state: 'SF', app: 'ssh',
  smac: '00:0c:29:4f:8e:35', dmac: '3c:52:82:1a:7e:e1', community_id: '1:abc=', id: 'f1', dns: { qname: 'a;b.example', answers: ['1.2.3.4', '5.6.7.8'] },
};

/** What a spreadsheet-safe cell should hold for a text value. */
const neutral = (s: string) => (/^[=+\-@\t\r]/.test(s) ? "'" + s : s);

describe('export csv', () => {
  it('round-trips tricky cells through csv-parse, formula starters neutralised', async () => {
    const r = await fir(['export', '--format', 'csv'], { input });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    // RFC 4180: CRLF after every record (quoted CR/LF inside cells are data)
    expect(r.stdout.endsWith('\r\n')).toBe(true);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBe(events.length);
    const header = Object.keys(rows[0]!);
    expect(header.slice(0, 5)).toEqual(['kind', 'id', 'start', 'end', 'method']);
    expect(header).toContain('attack.tactic');
    expect(header[header.length - 1]).toBe('extra');
    rows.forEach((row, i) => {
      const e = events[i]!;
      expect(row.detail).toBe(neutral(e.detail as string));
      expect(row.title).toBe(neutral(e.title as string));
      expect(row.targets).toBe((e.targets as string[]).join(';'));
      expect(row.ports).toBe('22;80');
      expect(row['attack.technique']).toBe('T1046');
      expect(row.src_host).toBe(e.src_host);
      // the fields without a column are kept, as JSON, in extra
      expect(JSON.parse(row.extra!)).toEqual({ evidence: e.evidence, target_info: e.target_info });
    });
    // no cell a spreadsheet would evaluate
    for (const row of rows) for (const v of Object.values(row)) expect(v).not.toMatch(/^[=+@\t\r]/);
  });

  it('takes --columns, with dotted names and unknown columns left empty', async () => {
    const r = await fir(['export', '-f', 'csv', '--columns', 'id,attack.tactic', '--columns', 'evidence.distinct_ports,nope'], { input });
    expect(r.exitCode).toBe(0);
    const rows = parse(r.stdout) as string[][];
    expect(rows[0]).toEqual(['id', 'attack.tactic', 'evidence.distinct_ports', 'nope']);
    expect(rows[1]).toEqual(['ev-0', 'discovery', '2', '']);
  });

  it('--columns all uses the union of the fields of every record', async () => {
    const r = await fir(['export', '-f', 'csv', '--columns', 'all'], { input: JSON.stringify(flow) + '\n' + JSON.stringify({ kind: 'summary', by: 'src', key: '10.0.0.1', flows: 3, pkts: 9, bytes: 900, top: { a: 1 } }) + '\n' });
    expect(r.exitCode).toBe(0);
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toContain('dns.qname');
    expect(Object.keys(rows[0]!)).toContain('top.a');
    expect(rows[0]!['dns.answers']).toBe('1.2.3.4;5.6.7.8');
    expect(rows[1]!.key).toBe('10.0.0.1');
    expect(rows[1]!['top.a']).toBe('1');
  });

  it('writes flows with the flow columns', async () => {
    const r = await fir(['export', '-f', 'csv'], { input: JSON.stringify(flow) + '\n' });
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows[0]!.sport).toBe('51514');
    expect(rows[0]!['dns.qname']).toBe('a;b.example');
    expect(rows[0]!.community_id).toBe('1:abc=');
    expect(rows[0]!.extra).toBe('');
  });

  it('writes a header even with no records, and --out FILE', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fir-csv-'));
    try {
      const out = path.join(dir, 'e.csv');
      const r = await fir(['export', '-f', 'csv', '--out', out], { input: '' });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe('');
      expect(readFileSync(out, 'utf8')).toMatch(/^kind,id,start,end,method/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('export json', () => {
  it('is one array of the records, and [] for no input', async () => {
    const r = await fir(['export', '-f', 'json'], { input: input + 'not json\n' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^fir export: stdin:14: not JSON/);
    expect(JSON.parse(r.stdout)).toEqual(events);
    const e = await fir(['export', '-f', 'json'], { input: '' });
    expect(JSON.parse(e.stdout)).toEqual([]);
  });
});

// CEF:0|Vendor|Product|Version|SignatureID|Name|Severity|Extension, header fields with | and \ escaped
const HF = String.raw`((?:[^|\\\r\n]|\\[|\\])*)`;
const CEF = new RegExp(`^CEF:0\\|${HF}\\|${HF}\\|${HF}\\|${HF}\\|${HF}\\|(10|[0-9])\\|(.*)$`);
const EXT_PAIR = String.raw`[A-Za-z0-9_]+=(?:[^=\\\r\n]|\\[=\\nr])*`;
const EXT = new RegExp(`^(?:${EXT_PAIR}(?: ${EXT_PAIR})*)?$`);

function cefExtension(ext: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of ext.split(/ (?=[A-Za-z0-9_]+=)/)) {
    const eq = part.indexOf('=');
    out[part.slice(0, eq)] = part.slice(eq + 1).replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
  }
  return out;
}
const unescapeHeader = (s: string) => s.replace(/\\(.)/g, '$1');

describe('export cef', () => {
  it('writes lines that match the CEF grammar and carry the event', async () => {
    const r = await fir(['export', '-f', 'cef'], { input: input + JSON.stringify(flow) + '\n' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBe(events.length + 1);
    lines.forEach((line, i) => {
      const m = CEF.exec(line);
      expect(m, line).not.toBeNull();
      expect(EXT.test(m![7]!), m![7]).toBe(true);
      expect(m![1]).toBe('fir');
      const ext = cefExtension(m![7]!);
      if (i === events.length) {
        expect(m![4]).toBe('flow');
        expect(ext).toMatchObject({ src: '192.168.1.100', spt: '51514', dst: '192.168.1.225', dpt: '22', out: '3290', in: '4185', smac: '00:0c:29:4f:8e:35' });
        return;
      }
      const e = events[i]!;
      expect(m![4]).toBe('SCANS/TCPSYN');
      expect(unescapeHeader(m![5]!)).toBe(e.title);
      expect(m![6]).toBe(String({ critical: 10, high: 8, medium: 6, low: 3, info: 1 }[e.priority as string]));
      expect(ext.msg).toBe(e.detail);
      expect(ext.shost).toBe(e.src_host);
      expect(ext.start).toBe(String(Date.parse(e.start as string)));
      expect(ext.end).toBe(String(Date.parse(e.end as string)));
      expect(ext.cs1).toBe((e.targets as string[]).join(','));
      expect(ext.cs1Label).toBe('targets');
      expect(ext.cnt).toBe(String((e.targets as string[]).length));
      if (i % 2) {
        expect(ext.c6a2).toBe(e.src);
        expect(ext.c6a3).toBe('2001:db8::1');
      } else {
        expect(ext.src).toBe(e.src);
        expect(ext.dst).toBe('192.168.1.1');
      }
      expect(JSON.parse(ext.cs5!)).toEqual(e.evidence);
    });
  });

  it('skips records that have no CEF form, with exit 1', async () => {
    const r = await fir(['export', '-f', 'cef'], { input: '{"kind":"summary","by":"src","key":"x","flows":1,"pkts":1,"bytes":1}\n' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('fir export: stdin:1: kind "summary" has no CEF form (events and flows only)\n');
  });
});

// RFC 5424 §6: HEADER SP STRUCTURED-DATA [SP MSG]
const PARAM_VALUE = String.raw`(?:[^"\\\]]|\\["\\\]])*`;
// SD-NAME: PRINTUSASCII except = SP ] "
const SD_PARAM = `[!#-<>-\\\\^-~]{1,32}="${PARAM_VALUE}"`;
const SD_ELEMENT = `\\[[!#-<>-\\\\^-~]{1,32}(?: ${SD_PARAM})*\\]`;
const SYSLOG = new RegExp(
  '^<(\\d{1,3})>1 ' +
    '(-|\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,6})?(?:Z|[+-]\\d\\d:\\d\\d)) ' +
    '([!-~]{1,255}) ([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) ' +
    `(-|(?:${SD_ELEMENT})+)` +
    '(?: (.*))?$',
);

function sdParams(sd: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([^ =\]"]+)="((?:[^"\\\]]|\\["\\\]])*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sd))) out[m[1]!] = m[2]!.replace(/\\(["\\\]])/g, '$1');
  return out;
}

describe('export syslog (to stdout)', () => {
  it('writes RFC 5424 lines that match the grammar', async () => {
    const r = await fir(['export', '-f', 'syslog', '--hostname', 'sensor-1', '--facility', 'local4'], { input: input + JSON.stringify(flow) + '\n' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBe(events.length + 1);
    lines.forEach((line, i) => {
      const m = SYSLOG.exec(line);
      expect(m, line).not.toBeNull();
      expect(m![3]).toBe('sensor-1');
      expect(m![4]).toBe('fir');
      expect(Number(m![1]) >> 3).toBe(20);
      const sd = sdParams(m![7]!);
      if (i === events.length) {
        expect(m![6]).toBe('flow');
        expect(sd).toMatchObject({ src: '192.168.1.100', dport: '22', bytes: '3290' });
        return;
      }
      const e = events[i]!;
      expect(Number(m![1]) & 7).toBe({ critical: 2, high: 3, medium: 4, low: 5, info: 6 }[e.priority as string]);
      expect(m![2]).toBe(e.start);
      expect(m![6]).toBe('SCANS');
      expect(m![7]!.startsWith('[fir@32473 ')).toBe(true);
      expect(sd.id).toBe(e.id);
      expect(sd.targets).toBe((e.targets as string[]).join(','));
      // control characters are made visible so the message stays on one line
      expect(m![8]).not.toMatch(/[\u0000-\u001f]/);
      if (!/[\u0000-\u001f]/.test(e.detail as string)) expect(m![8]).toBe(e.detail);
    });
  });

  it('rejects a bad --to and --to with other formats', async () => {
    let r = await fir(['export', '-f', 'syslog', '--to', 'http://127.0.0.1:514'], { input: '' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--to: expected udp:\/\/HOST:PORT or tcp:\/\/HOST:PORT/);
    r = await fir(['export', '-f', 'csv', '--to', 'udp://127.0.0.1:514'], { input: '' });
    expect(r.exitCode).toBe(2);
    r = await fir(['export'], { input: '' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--format is required/);
  });
});

describe('export ecs', () => {
  it('maps events and flows to ECS fields', async () => {
    const r = await fir(['export', '-f', 'ecs'], { input: JSON.stringify(events[0]) + '\n' + JSON.stringify(flow) + '\n' });
    expect(r.exitCode).toBe(0);
    const [ev, fl] = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(ev['@timestamp']).toBe(events[0]!.start);
    expect(ev.event).toMatchObject({ kind: 'alert', category: ['network', 'intrusion_detection'], action: 'SCANS/TCPSYN', severity: 10, id: 'ev-0', dataset: 'fir.event' });
    expect(ev.source).toMatchObject({ ip: '192.168.1.5', domain: 'host|0=x' });
    expect(ev.destination).toMatchObject({ ip: '192.168.1.1', port: 22, domain: 'gw' });
    expect(ev.related.ip).toEqual(['192.168.1.5', '192.168.1.1', '192.168.1.2', '192.168.1.3']);
    expect(ev.rule.name).toBe('TCP SYN scan');
    expect(ev.threat).toEqual({ framework: 'MITRE ATT&CK', tactic: { name: 'discovery' }, technique: { id: 'T1046' } });
    expect(ev.fir.evidence).toEqual(events[0]!.evidence);
    expect(fl.event).toMatchObject({ kind: 'event', category: ['network'], type: ['connection'], duration: 1706e6 });
    expect(fl.source).toEqual({ ip: '192.168.1.100', port: 51514, mac: '00-0C-29-4F-8E-35', bytes: 3290, packets: 24 });
    expect(fl.destination).toEqual({ ip: '192.168.1.225', port: 22, mac: '3C-52-82-1A-7E-E1', bytes: 4185, packets: 22 });
    expect(fl.network).toMatchObject({ transport: 'tcp', type: 'ipv4', protocol: 'ssh', community_id: '1:abc=', bytes: 7475, packets: 46 });
    expect(fl.related.ip).toEqual(['192.168.1.100', '192.168.1.225']);
    expect(fl.dns.answers).toEqual([{ data: '1.2.3.4' }, { data: '5.6.7.8' }]);
    // no nulls, no empty objects
    expect(r.stdout).not.toMatch(/null|\{\}/);
  });
});
