// `fir ingest | fir detect` on the real lab captures (testdata/lab/<variant>/capture.pcap with
// ground_truth.json from ../shared/lab): every attack step is found with the right method,
// source and targets at the right time, the SSH success is critical, and no benign host nor the
// gateway is the source of an event above info; with and without the server flags.
// FIR_LAB_DIRS (colon-separated) adds more lab run folders, e.g. fresh runs under /tmp.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fir, records, TESTDATA } from './helpers.js';
import { METHODS } from '../src/detect/registry.js';
import { priorityRank } from '../src/record.js';

interface Step {
  id: number;
  category: string;
  subtype?: string;
  attacker_ip: string;
  targets: string[];
  start_ms: number;
  end_ms: number;
  ip_version?: string;
}
interface Truth {
  subnet: string;
  attacker: { ip: string; ipv6?: string };
  victim: { ip: string; ipv6?: string };
  gateway: { ip: string };
  legit_dhcp_dns_server: string;
  do_not_flag: string[];
  attack_steps: Step[];
}
type Ev = Record<string, any>;

/** What each ground-truth category must show as: method, submethods, who is src, who the targets. */
const EXPECT: Record<string, { method: string; subs: string[]; src: 'attacker' | 'victim'; critical?: boolean }> = {
  rogue_dhcp: { method: 'DHCPANOM', subs: ['FAKESERVER'], src: 'attacker' },
  // the client resolving through the rogue server is the event's src, the server its target
  dns_unauthorized_server: { method: 'DNSANOMALY', subs: ['FORBIDDENSERVER', 'UNUSUALSERVER'], src: 'victim' },
  arp_scan: { method: 'SCANS', subs: ['ARP'], src: 'attacker' },
  ping_sweep: { method: 'ICMPANOM', subs: ['ICMPSCAN'], src: 'attacker' },
  port_scan: { method: 'SCANS', subs: ['TCPSYN'], src: 'attacker' },
  ssh_bruteforce: { method: 'SSHDICT', subs: ['ATTEMPT', 'SUCCESS'], src: 'attacker' },
  ssh_bruteforce_success: { method: 'SSHDICT', subs: ['SUCCESS'], src: 'attacker', critical: true },
  // the methods of the remaining steps are checked once they are in the registry
  syn_flood: { method: 'DOS', subs: ['SYNFLOOD'], src: 'attacker' },
  exfiltration: { method: 'HIGHTRANSF', subs: ['UPLOAD', 'DOWNLOAD'], src: 'attacker' },
  dns_tunnel: { method: 'DNSANOMALY', subs: ['TUNNEL'], src: 'victim' },
};
const SLACK_MS = 60_000;

function variants(): string[] {
  const dirs: string[] = [];
  const lab = path.join(TESTDATA, 'lab');
  if (existsSync(lab)) for (const d of readdirSync(lab).sort()) dirs.push(path.join(lab, d));
  for (const d of (process.env.FIR_LAB_DIRS ?? '').split(':').filter(Boolean)) dirs.push(d);
  return dirs.filter((d) => existsSync(path.join(d, 'capture.pcap')) && existsSync(path.join(d, 'ground_truth.json')));
}

function implemented(method: string, subs: string[]): boolean {
  return METHODS.some((m) => m.name === method && subs.some((s) => m.submethods.includes(s)));
}

/** The addresses a step's targets stand for (a /24 in the truth means the segment). */
function stepTargets(step: Step): string[] {
  return step.targets.filter((t) => !t.includes('/'));
}

function findStep(step: Step, truth: Truth, events: Ev[]): Ev | undefined {
  const want = EXPECT[step.category]!;
  const src = want.src === 'attacker' ? step.attacker_ip : step.targets[0];
  const targets = want.src === 'attacker' ? stepTargets(step) : [step.attacker_ip];
  return events.find(
    (e) =>
      e.method === want.method &&
      want.subs.includes(e.submethod) &&
      e.src === src &&
      targets.every((t) => e.targets.includes(t)) &&
      Date.parse(e.start) <= step.end_ms + SLACK_MS &&
      Date.parse(e.end) >= step.start_ms - SLACK_MS &&
      (!step.targets.some((t) => t.includes('/')) || (e.target_count ?? e.targets.length) >= 128) &&
      (!want.critical || e.priority === 'critical') &&
      truth !== undefined,
  );
}

const list = variants();
describe.skipIf(list.length === 0)('fir detect on the lab captures', () => {
  for (const dir of list) {
    const name = path.basename(dir);
    describe(name, () => {
      const truth = JSON.parse(readFileSync(path.join(dir, 'ground_truth.json'), 'utf8')) as Truth;
      const runs: Record<string, Ev[]> = {};
      beforeAll(async () => {
        const tmp = mkdtempSync(path.join(tmpdir(), 'fir-detect-lab-'));
        const flows = path.join(tmp, 'flows.ndjson');
        const ing = await fir(['ingest', path.join(dir, 'capture.pcap')]);
        expect(ing.exitCode, ing.stderr).toBe(0);
        writeFileSync(flows, ing.stdout);
        const plain = await fir(['detect', flows]);
        expect(plain.exitCode, plain.stderr).toBe(0);
        runs.plain = records(plain.stdout);
        const srv = truth.legit_dhcp_dns_server;
        const flagged = await fir(['detect', '--dhcp-servers', srv, '--dns-servers', srv, '--local-nets', truth.subnet, flows]);
        expect(flagged.exitCode, flagged.stderr).toBe(0);
        runs.servers = records(flagged.stdout);
      }, 180_000);

      for (const mode of ['plain', 'servers'] as const) {
        it(`${mode === 'plain' ? 'without' : 'with'} the server flags: every attack step is found with the right method, source and targets`, () => {
          const events = runs[mode]!;
          const missing: string[] = [];
          for (const step of truth.attack_steps) {
            const want = EXPECT[step.category];
            if (!want || !implemented(want.method, want.subs)) continue;
            if (!findStep(step, truth, events)) missing.push(`step ${step.id} ${step.category}${step.subtype ? '/' + step.subtype : ''} (${want.method}/${want.subs.join('|')} from the ${want.src})`);
          }
          expect(missing, events.map((e) => `${e.method}/${e.submethod} ${e.src} -> ${e.targets.slice(0, 3).join(',')} ${e.start}..${e.end}`).join('\n')).toEqual([]);
          // with the allowed servers given, the rogue resolver is named as forbidden
          if (mode === 'servers' && truth.attack_steps.some((s) => s.category === 'dns_unauthorized_server')) {
            expect(events.some((e) => e.method === 'DNSANOMALY' && e.submethod === 'FORBIDDENSERVER')).toBe(true);
          }
        });

        it(`${mode === 'plain' ? 'without' : 'with'} the server flags: no benign host nor the gateway is the source of an event above info`, () => {
          const loud = runs[mode]!.filter((e) => truth.do_not_flag.includes(e.src) && priorityRank(e.priority) > priorityRank('info'));
          expect(loud.map((e) => `${e.method}/${e.submethod} ${e.src}: ${e.detail}`)).toEqual([]);
        });
      }

      // the same capture as nfpcapd exports it: one-direction NetFlow records, no ARP, DHCP or
      // payload; the steps that show in such records must still be found, the benign hosts quiet
      const nfcsv = path.join(dir, 'derived', 'nfpcapd.csv');
      it.skipIf(!existsSync(nfcsv))('on the NetFlow export of the capture (nfpcapd): scans, guessing and DNS are found, benign hosts quiet', async () => {
        const tmp = mkdtempSync(path.join(tmpdir(), 'fir-detect-lab-nf-'));
        const flows = path.join(tmp, 'flows.ndjson');
        const ing = await fir(['ingest', nfcsv]);
        expect(ing.exitCode, ing.stderr).toBe(0);
        writeFileSync(flows, ing.stdout);
        const r = await fir(['detect', flows]);
        expect(r.exitCode, r.stderr).toBe(0);
        const events = records(r.stdout);
        const visible = new Set(['port_scan', 'ssh_bruteforce', 'ssh_bruteforce_success', 'dns_unauthorized_server']);
        const missing = truth.attack_steps
          .filter((st) => visible.has(st.category) && st.subtype !== 'service_version_scan')
          .filter((st) => !findStep(st, truth, events))
          .map((st) => `step ${st.id} ${st.category}`);
        expect(missing, events.map((e) => `${e.method}/${e.submethod} ${e.src} -> ${e.targets.slice(0, 3).join(',')}`).join('\n')).toEqual([]);
        const loud = events.filter((e) => truth.do_not_flag.includes(e.src) && priorityRank(e.priority) > priorityRank('info'));
        expect(loud.map((e) => `${e.method}/${e.submethod} ${e.src}: ${e.detail}`)).toEqual([]);
      }, 120_000);

      it('the SSH success is critical and says so', () => {
        if (!truth.attack_steps.some((s) => s.category === 'ssh_bruteforce_success')) return;
        const ssh = runs.plain!.filter((e) => e.method === 'SSHDICT');
        expect(ssh.map((e) => e.submethod)).toContain('SUCCESS');
        const s = ssh.find((e) => e.submethod === 'SUCCESS')!;
        expect(s.priority).toBe('critical');
        expect(s.evidence.success).toBe(true);
        expect(s.detail).toMatch(/likely succeeded/);
      });
    });
  }
});
