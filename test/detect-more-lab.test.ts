// `fir ingest | fir detect` for the methods of issue 6 on real captures:
//   - the lab captures (testdata/lab/* and testdata/detect-more/*, made with ../shared/lab at other
//     addresses, rates and sizes): the SYN flood (DOS/SYNFLOOD from the attacker to its target),
//     the iodine DNS tunnel (DNSANOMALY/TUNNEL from the victim, the client, to the attacker's
//     server) and the scp exfiltration (HIGHTRANSF from the attacker, who pulled the file, to the
//     victim), each within the step's time; benign hosts and the gateway are the src of no event
//     above info, whatever the method;
//   - --blocklist and --inventory on a lab capture;
//   - testdata/beacon: a real curl check-in loop is BEACON/PERIODIC, a person browsing is not.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkRecords, fir, hasShared, records, TESTDATA } from './helpers.js';
import { priorityRank } from '../src/record.js';

interface Step {
  id: number;
  category: string;
  attacker_ip: string;
  targets: string[];
  start_ms: number;
  end_ms: number;
  bytes?: number;
}
interface Truth {
  subnet: string;
  attacker: { ip: string; mac: string };
  victim: { ip: string; mac: string };
  gateway: { ip: string; mac: string };
  benign_hosts: { ip: string; mac: string }[];
  do_not_flag: string[];
  attack_steps: Step[];
}
type Ev = Record<string, any>;

/** method, submethods, and who is the event's src for each step this file checks */
const EXPECT: Record<string, { method: string; subs: string[]; src: 'attacker' | 'victim' }> = {
  syn_flood: { method: 'DOS', subs: ['SYNFLOOD'], src: 'attacker' },
  exfiltration: { method: 'HIGHTRANSF', subs: ['DOWNLOAD'], src: 'attacker' },
  dns_tunnel: { method: 'DNSANOMALY', subs: ['TUNNEL'], src: 'victim' },
};
const SLACK_MS = 60_000;

function variants(): string[] {
  const dirs: string[] = [];
  for (const top of ['lab', 'detect-more']) {
    const d = path.join(TESTDATA, top);
    if (existsSync(d)) for (const v of readdirSync(d).sort()) dirs.push(path.join(d, v));
  }
  return dirs.filter((d) => existsSync(path.join(d, 'capture.pcap')) && existsSync(path.join(d, 'ground_truth.json')));
}

async function ingest(pcap: string): Promise<string> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'fir-detect-more-'));
  const flows = path.join(tmp, 'flows.ndjson');
  const r = await fir(['ingest', pcap]);
  expect(r.exitCode, r.stderr).toBe(0);
  writeFileSync(flows, r.stdout);
  return flows;
}

const list = variants();
describe.skipIf(list.length === 0)('the methods of issue 6 on the lab captures', () => {
  for (const dir of list) {
    const name = `${path.basename(path.dirname(dir))}/${path.basename(dir)}`;
    describe(name, () => {
      const truth = JSON.parse(readFileSync(path.join(dir, 'ground_truth.json'), 'utf8')) as Truth;
      let events: Ev[] = [];
      let flows = '';
      beforeAll(async () => {
        flows = await ingest(path.join(dir, 'capture.pcap'));
        const r = await fir(['detect', flows]);
        expect(r.exitCode, r.stderr).toBe(0);
        events = records(r.stdout);
      }, 180_000);

      const steps = truth.attack_steps.filter((s) => EXPECT[s.category]);
      for (const step of steps) {
        const want = EXPECT[step.category]!;
        it(`step ${step.id} ${step.category}: ${want.method}/${want.subs.join('|')} from the ${want.src}`, () => {
          const src = want.src === 'attacker' ? step.attacker_ip : step.targets[0];
          const target = want.src === 'attacker' ? step.targets[0] : step.attacker_ip;
          const hit = events.find(
            (e) => e.method === want.method && want.subs.includes(e.submethod) && e.src === src && e.targets.includes(target) && Date.parse(e.start) <= step.end_ms + SLACK_MS && Date.parse(e.end) >= step.start_ms - SLACK_MS,
          );
          expect(hit, events.map((e) => `${e.method}/${e.submethod} ${e.src} -> ${e.targets.slice(0, 3).join(',')} ${e.start}..${e.end}`).join('\n')).toBeDefined();
          expect(priorityRank(hit!.priority)).toBeGreaterThanOrEqual(priorityRank('medium'));
          if (step.category === 'exfiltration') {
            // the bytes on the wire are the file and the SSH overhead
            expect(hit!.evidence.bytes).toBeGreaterThanOrEqual(step.bytes!);
            expect(hit!.evidence.bytes).toBeLessThan(step.bytes! * 1.1);
            expect(hit!.ports).toEqual([22]);
          }
          if (step.category === 'dns_tunnel') {
            expect(hit!.evidence.domain).toBe('updates-cdn.net');
            expect(hit!.evidence.signs).toBeGreaterThanOrEqual(2);
          }
          if (step.category === 'syn_flood') {
            expect(hit!.ports).toEqual([80]);
            expect(hit!.evidence.source_count).toBe(1);
          }
        });
      }

      it('benign hosts and the gateway are the src of no event above info', () => {
        const loud = events.filter((e) => truth.do_not_flag.includes(e.src) && priorityRank(e.priority) > priorityRank('info'));
        expect(loud.map((e) => `${e.method}/${e.submethod} ${e.src}: ${e.detail}`)).toEqual([]);
      });

      it('no new-method event has a benign host or the gateway as src, and no flood or tunnel names a wrong host', () => {
        const mine = events.filter((e) => ['DOS', 'HIGHTRANSF', 'BEACON', 'ALIENDEV', 'BLACKLIST'].includes(e.method) || e.submethod === 'TUNNEL');
        for (const e of mine) expect([truth.attacker.ip, truth.victim.ip]).toContain(e.src);
      });

      it('--blocklist: the tunnel domain and the attacker address are found; --inventory: only the attacker and the victim are unknown', async () => {
        const tmp = mkdtempSync(path.join(tmpdir(), 'fir-detect-more-lists-'));
        const bl = path.join(tmp, 'blocklist.txt');
        writeFileSync(bl, `# test feed\nupdates-cdn.net\n${truth.attacker.ip}\n198.51.100.0/24\n`);
        const inv = path.join(tmp, 'inventory.csv');
        writeFileSync(inv, `name,mac,ip\n${[truth.gateway, ...truth.benign_hosts].map((h, i) => `h${i},${h.mac},${h.ip}`).join('\n')}\n`);
        const r = await fir(['detect', '--methods', 'BLACKLIST,ALIENDEV', '--blocklist', bl, '--inventory', inv, flows]);
        expect(r.exitCode, r.stderr).toBe(0);
        const ev = records(r.stdout);
        if (hasShared) {
          const chk = await checkRecords(r.stdout);
          expect(chk.ok, chk.output).toBe(true);
        }
        const hosts = ev.filter((e) => e.method === 'BLACKLIST' && e.submethod === 'HOST');
        // the victim talks to the listed attacker (the scp, the tunnel); the attacker's own flows have it as src
        if (steps.length) expect(hosts.some((e) => e.src === truth.victim.ip || e.targets.includes(truth.victim.ip))).toBe(true);
        for (const e of hosts) expect([e.src, ...e.targets]).toContain(truth.attacker.ip);
        if (steps.some((s) => s.category === 'dns_tunnel')) {
          const dom = ev.find((e) => e.method === 'BLACKLIST' && e.submethod === 'DOMAIN');
          expect(dom).toMatchObject({ src: truth.victim.ip, targets: [truth.attacker.ip] });
          expect(dom!.evidence.listed_domains).toEqual(['updates-cdn.net']);
        }
        const alien = ev.filter((e) => e.method === 'ALIENDEV').map((e) => e.src);
        if (steps.length) expect(alien).toContain(truth.attacker.ip);
        for (const ip of alien) expect([truth.attacker.ip, truth.victim.ip]).toContain(ip);
        // the gateway and the benign hosts only answered the listed attacker (ARP is not traffic with it)
        expect(ev.filter((e) => truth.do_not_flag.includes(e.src)).map((e) => `${e.method}/${e.submethod} ${e.src}: ${e.detail}`)).toEqual([]);
      });
    });
  }
});

describe('BEACON on real traffic (testdata/beacon, made by make.sh)', () => {
  const dir = path.join(TESTDATA, 'beacon');
  it('the curl check-in loop is a beacon: src, target, port, the score in the evidence', async () => {
    const flows = await ingest(path.join(dir, 'beacon.pcap'));
    const r = await fir(['detect', '--local-nets', '10.77.0.1/32', flows]);
    expect(r.exitCode, r.stderr).toBe(0);
    const ev = records(r.stdout);
    expect(ev.map((e) => `${e.method}/${e.submethod}`)).toEqual(['BEACON/PERIODIC']);
    expect(ev[0]).toMatchObject({ src: '10.77.0.1', targets: ['10.77.0.2'], ports: [8000], proto: 'tcp' });
    expect(ev[0]!.evidence.connections).toBe(30);
    expect(ev[0]!.evidence.score).toBeGreaterThanOrEqual(0.8);
    expect(ev[0]!.evidence.median_interval_s).toBeGreaterThan(3.2);
    expect(ev[0]!.evidence.median_interval_s).toBeLessThan(4.8);
    // both private: without --local-nets the server is a LAN peer, not judged (as RITA)
    const lan = records((await fir(['detect', '--methods', 'BEACON', flows])).stdout);
    expect(lan).toEqual([]);
  }, 60_000);

  it('a person browsing the same server raises no event at all (no beacon, no HTTP guessing)', async () => {
    const flows = await ingest(path.join(dir, 'browse.pcap'));
    const every = await fir(['detect', '--local-nets', '10.77.0.1/32', flows]);
    expect(every.exitCode, every.stderr).toBe(0);
    expect(records(every.stdout).filter((e) => e.priority !== 'info')).toEqual([]);
    const r = await fir(['detect', '--methods', 'BEACON', '--local-nets', '10.77.0.1/32', flows]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(records(r.stdout)).toEqual([]);
    // it was judged (enough connections) and scored low, not passed over
    const cfg = path.join(mkdtempSync(path.join(tmpdir(), 'fir-beacon-')), 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ methods: { BEACON: { min_score: 0 } } }));
    const all = records((await fir(['detect', '--methods', 'BEACON', '--local-nets', '10.77.0.1/32', '--config', cfg, flows])).stdout);
    expect(all).toHaveLength(1);
    expect(all[0]!.evidence.score).toBeLessThan(0.7);
  }, 60_000);
});
