import { describe, expect, it } from 'vitest';
import { byEnd, run as runAll, synProbe } from '../../test/detect-kit.js';
import { UsageError } from '../errors.js';
import type { Flow } from '../record.js';
import { parseRules } from '../fp/rules.js';
import { createEngine, selectMethods } from '../core/detect.js';
import { parseConfig, methodSettings, METHOD_DEFAULTS } from './config.js';
import { Engine, eventId, fastTimeMs, MethodRunner, type LogEntry } from './engine.js';
import { CidrSet } from '../net.js';
import type { DetectConfig, DetectionMethod } from './types.js';
import { Perspective, perspectiveDefs } from './perspectives.js';
import { methodDefaults, METHODS } from './registry.js';

// the engine is exercised through SCANS; the methods have their own tests
const run: typeof runAll = (flows, opts = {}) => runAll(flows, { methods: ['SCANS'], ...opts });

function scan(src: string, dst: string, from = 0): Flow[] {
  const out: Flow[] = [];
  for (let p = 1; p <= 40; p++) out.push(synProbe(from + p * 0.1, src, dst, p));
  return out;
}

describe('engine', () => {
  it('writes events in the contract shape with stable ids', () => {
    const a = run(scan('10.0.0.5', '10.0.0.1'));
    const b = run(scan('10.0.0.5', '10.0.0.1'));
    expect(a[0]!.id).toBe(b[0]!.id);
    expect(a[0]!.id).toBe(eventId('SCANS\u0000TCPSYN\u000010.0.0.5', Date.parse(a[0]!.start)));
    expect(Object.keys(a[0]!)).toEqual(['kind', 'id', 'start', 'end', 'method', 'submethod', 'title', 'priority', 'src', 'targets', 'ports', 'proto', 'detail', 'evidence', 'attack']);
  });

  it('writes an event once its window has passed in flow time, not only at the end', () => {
    const engine = createEngine({ config: {}, methods: ['SCANS'] });
    for (const f of byEnd(scan('10.0.0.5', '10.0.0.1'))) engine.push(f as never);
    expect(engine.take()).toEqual([]);
    // an unrelated flow 30 minutes later moves the clock past the scan's windows
    engine.push(synProbe(1800, '10.0.0.9', '10.0.0.1', 80) as never);
    expect(engine.take().map((e) => e.method)).toEqual(['SCANS']);
    engine.finish();
    expect(engine.take()).toEqual([]);
  });

  it('passes over records that are not flows and reports unusable flows', () => {
    const engine = createEngine({ config: {} });
    expect(engine.push({ kind: 'event', method: 'X' })).toBeUndefined();
    expect(engine.push({ kind: 'flow', start: 'yesterday', proto: 'tcp' })).toMatch(/start time/);
    expect(engine.push({ kind: 'flow', start: '2026-11-27T10:00:00.000Z' })).toMatch(/proto/);
    expect(engine.nonFlows).toBe(1);
  });

  it('applies the perspective, its network rules and the config', () => {
    const config = parseConfig(
      JSON.stringify({
        perspectives: {
          soc: { extends: 'quiet', priorities: { SCANS: { TCPSYN: 'high' } }, rules: [{ method: 'SCANS', src: '10.9.0.0/16', priority: 'info' }] },
        },
      }),
      'c.json',
      methodDefaults(),
    );
    const flows = [...scan('10.0.0.5', '10.0.0.1'), ...scan('10.9.0.5', '10.0.0.1')];
    const ev = run(flows, { config, perspective: 'soc' });
    expect(ev.map((e) => [e.src, e.priority])).toEqual([
      ['10.0.0.5', 'high'],
      ['10.9.0.5', 'info'],
    ]);
    expect(run(flows, { config, perspective: 'quiet' }).map((e) => e.priority)).toEqual(['low', 'low']);
    expect(() => run(flows, { config, perspective: 'nope' })).toThrow(/unknown perspective nope/);
  });

  it('suppresses events matched by false-positive rules and counts them', () => {
    const fpRules = parseRules('{"method":"SCANS","src":"10.0.0.5","reason":"vulnerability scanner"}\n', 'fp');
    const engine = createEngine({ config: {}, fpRules, methods: ['SCANS'] });
    for (const f of byEnd([...scan('10.0.0.5', '10.0.0.1'), ...scan('10.0.0.6', '10.0.0.1')])) engine.push(f as never);
    engine.finish();
    expect(engine.take().map((e) => e.src)).toEqual(['10.0.0.6']);
    expect(engine.suppressed).toBe(1);
  });

  it('runs only the methods asked for', () => {
    expect(selectMethods(['scans', 'SSHDICT']).map((m) => m.name)).toEqual(['SCANS', 'SSHDICT']);
    expect(() => selectMethods(['SCANS', 'BOGUS'])).toThrow(UsageError);
    expect(run(scan('10.0.0.5', '10.0.0.1'), { methods: ['ICMPANOM'] })).toEqual([]);
  });

  it('fastTimeMs agrees with Date.parse', () => {
    for (const s of ['2026-11-27T10:15:00.123Z', '2024-02-29T23:59:59.999Z', '2026-11-28T00:00:00.000Z', '2026-11-27T10:15:00Z', 'garbage', '2026-13-45T10:15:00.123Z', '2026-11-27T10x15x00.123Z', '2026-11-27T1a:15:00.123Z']) {
      expect(fastTimeMs(s)).toEqual(Date.parse(s));
    }
  });
});

describe('config', () => {
  it('has a default for every threshold of every method, and each method uses its section', () => {
    for (const m of METHODS) {
      expect(Object.keys(m.defaults).length).toBeGreaterThan(0);
      expect(m.defaults).toBe((METHOD_DEFAULTS as Record<string, unknown>)[m.name]);
    }
    const s = methodSettings(METHOD_DEFAULTS.DICTATTACK, { methods: { DICTATTACK: { min_sessions: 5, service_min_sessions: { SMTP: 50 } } } }, 'DICTATTACK');
    expect(s.min_sessions).toBe(5);
    expect(s.service_min_sessions).toEqual({ HTTP: 40, SMTP: 50, SMB: 20, IMAP: 20, POP3: 20 });
  });

  it('changing a threshold changes the result', () => {
    const flows = scan('10.0.0.5', '10.0.0.1');
    expect(run(flows)).toHaveLength(1);
    expect(run(flows, { config: { methods: { SCANS: { min_ports: 50, min_pairs: 50 } } } })).toHaveLength(0);
  });

  it('reports what is wrong with a config file and where', () => {
    const bad = (text: string) => () => parseConfig(text, 'lan.json', methodDefaults());
    expect(bad('{')).toThrow(/--config: lan\.json: not valid JSON/);
    expect(bad('[]')).toThrow(/expected a JSON object/);
    expect(bad('{"colour":1}')).toThrow(/lan\.json: colour: unknown key/);
    expect(bad('{"methods":{"SCANZ":{}}}')).toThrow(/methods\.SCANZ: unknown method/);
    expect(bad('{"methods":{"SCANS":{"min_target":3}}}')).toThrow(/methods\.SCANS\.min_target: unknown setting/);
    expect(bad('{"methods":{"SCANS":{"min_targets":"many"}}}')).toThrow(/methods\.SCANS\.min_targets: expected a number/);
    expect(bad('{"dhcp_servers":["gw"]}')).toThrow(/dhcp_servers: not an IP address: gw/);
    expect(bad('{"perspectives":{"x":{"priorities":{"SCANS":"urgent"}}}}')).toThrow(/perspectives\.x\.priorities\.SCANS/);
    expect(bad('{"perspectives":{"x":{"rules":[{"src":"10.0.0.0/8"}]}}}')).toThrow(/rules\[0\]\.priority/);
    expect(bad('{"engine":{"reorder_slack_s":-1}}')).toThrow(/engine\.reorder_slack_s/);
    expect(parseConfig('{"dns_servers":["192.168.1.1"],"methods":{"SSHDICT":{"min_sessions":6}}}', 'ok.json', methodDefaults()).dns_servers).toEqual(['192.168.1.1']);
  });

  it('perspectives: extends loops and unknown parents are usage errors', () => {
    const defs = perspectiveDefs({ perspectives: { a: { extends: 'b' }, b: { extends: 'a' }, c: { extends: 'zz' } } });
    expect(() => new Perspective('a', defs)).toThrow(/loop/);
    expect(() => new Perspective('c', defs)).toThrow(/unknown perspective zz/);
    expect(new Perspective('default', defs).priority('SCANS', 'ARP', '10.0.0.1', [], 'medium')).toBe('medium');
  });
});

describe('engine robustness', () => {
  it('never throws on flows with odd or hostile field values, and skips those with wrong types', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const pick = <T,>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
    const values: unknown[] = [undefined, null, 0, -1, 1e308, NaN, '', 'S', 'x'.repeat(300), [], {}, [1, 2], { op: 'request' }, '10.0.0.1', 'fe80::1', true, '\u001b[31m'];
    const keys = ['src', 'dst', 'sport', 'dport', 'pkts', 'bytes', 'rpkts', 'rbytes', 'flags', 'rflags', 'state', 'app', 'dns', 'dhcp', 'arp', 'icmp_type', 'id'];
    const engine = createEngine({ config: {} });
    let skipped = 0;
    for (let i = 0; i < 5000; i++) {
      const rec: Record<string, unknown> = { kind: 'flow', start: new Date(Date.UTC(2026, 10, 27, 10) + i * 100).toISOString(), end: new Date(Date.UTC(2026, 10, 27, 10) + i * 100 + 50).toISOString(), proto: pick(['tcp', 'udp', 'icmp', 'icmp6', 'arp', '47']) };
      for (const k of keys) if (rnd() < 0.6) rec[k] = pick(values);
      if (rnd() < 0.3) rec.dhcp = { msg: pick(['OFFER', 'ACK', 7, undefined]), msgs: pick([['OFFER'], 'ACK', undefined, [null]]), server_id: pick(['10.0.0.1', 'zz', 5]), dns_servers: pick([['10.0.0.1', 3], 'x', undefined]), router: pick(['10.0.0.1', [], undefined]), yiaddr: pick(['10.0.0.9', {}, undefined]), client_mac: pick(['aa', 1, undefined]) };
      if (rnd() < 0.3) rec.arp = { op: pick(['request', 'reply', 'x']), spa: pick(['10.0.0.1', 4, undefined]), tpa: pick(['10.0.0.2', undefined]) };
      if (engine.push(rec) !== undefined) skipped++;
    }
    engine.finish();
    for (const e of engine.take()) expect(typeof e.detail).toBe('string');
    expect(skipped).toBeGreaterThan(0);
  });
});

describe('engine in two parts (--threads 2)', () => {
  // made-up methods that report at random flows, clock moves and the end, with short windows,
  // so that events close both when a later candidate is past the window and when the clock moves
  function fake(name: string, seed: number): DetectionMethod {
    return {
      name,
      submethods: ['A', 'B'],
      title: { A: `${name} a`, B: `${name} b` },
      attack: {},
      priority: { A: 'low', B: 'high' },
      windowMs: 1500,
      defaults: {},
      create(ctx) {
        let x = seed;
        const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff) / 0x80000000);
        const cand = (start: number, end: number, target: string, id: string) => {
          const flows = [id];
          const evidence = { n: Math.floor(rnd() * 100), ids: flows };
          ctx.emit({ method: name, submethod: rnd() < 0.5 ? 'A' : 'B', src: `10.0.0.${Math.floor(rnd() * 3)}`, targets: [target], start, end, ports: [Math.floor(rnd() * 4)], detail: `${name} ${evidence.n}`, evidence, flows });
          // the method goes on changing what it reported: the event keeps what it said then
          flows.push('later');
          evidence.n = -1;
        };
        return {
          flow(f, t, tEnd) {
            if (rnd() < 0.25) cand(t, tEnd, f.dst!, f.id!);
          },
          advance(now) {
            if (rnd() < 0.3) cand(now - 800, now, 'adv', `a${now}`);
          },
          finish() {
            cand(0, 1, 'end', 'e1');
            cand(5, 9, 'end', 'e2');
          },
        };
      },
    };
  }

  it('gives the events one engine gives when the methods run elsewhere and report in batches', () => {
    const methods = [fake('M0', 1), fake('M1', 2), fake('M2', 3)];
    const config: DetectConfig = { engine: { reorder_slack_s: 1 } };
    const flows: Record<string, unknown>[] = [];
    let t = Date.UTC(2026, 10, 27, 10, 0, 0);
    let y = 7;
    const rnd = () => ((y = (Math.imul(y, 1103515245) + 12345) & 0x7fffffff) / 0x80000000);
    for (let i = 0; i < 3000; i++) {
      t += Math.floor(rnd() * 900);
      const s = t - (rnd() < 0.1 ? Math.floor(rnd() * 3000) : 0);
      flows.push(i % 97 === 5 ? { kind: 'event' } : { kind: 'flow', id: `f${i}`, start: new Date(s).toISOString(), end: new Date(s + Math.floor(rnd() * 4000)).toISOString(), proto: 'tcp', src: '10.1.0.1', dst: `10.2.0.${i % 7}`, pkts: 1, bytes: 60 });
    }
    const opts = { methods, config, localNets: new CidrSet(), perspective: new Perspective('default', perspectiveDefs(config)) };
    const one = new Engine(opts);
    for (const f of flows) one.push(structuredClone(f));
    one.finish();
    const want = one.take();
    expect(new Set(want.map((e) => e.method)).size).toBe(3);
    expect(want.length).toBeGreaterThan(100);
    for (const chunk of [1, 37, 500, 3000]) {
      const main = new Engine(opts, true);
      let log: LogEntry[] = [];
      const other = new MethodRunner(
        methods,
        methods.map((_, i) => i),
        config,
        new CidrSet(),
        (i, c) => log.push(structuredClone({ seq: other.seq, phase: other.phase, i, c })),
        (now) => log.push(now),
      );
      const got = [];
      for (let from = 0; from < flows.length; from += chunk) {
        for (let k = from; k < Math.min(flows.length, from + chunk); k++) {
          main.push(structuredClone(flows[k]!), k);
          other.seq = k;
          other.push(structuredClone(flows[k]!));
        }
        main.apply(log);
        log = [];
        got.push(...main.take());
      }
      main.finish();
      other.finish();
      main.apply(log);
      got.push(...main.take());
      expect(got).toEqual(want);
      expect(main.flowsSeen).toBe(one.flowsSeen);
    }
  });
});
