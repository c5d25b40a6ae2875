// The seed story on the real lab capture: ingest | detect | timeline --story tells it in order
// (rogue DHCP, forbidden/unusual DNS, ARP scan, port scans, SSH guessing and login).
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, TESTDATA, records } from './helpers.js';

const CAPTURE = path.join(TESTDATA, 'lab', 'seed-story', 'capture.pcap');
const FIR = path.join(ROOT, 'bin', 'fir');

describe.skipIf(!existsSync(CAPTURE))('fir timeline --story on the seed-story capture', () => {
  it('tells the attacker story in order', async () => {
    const r = await execa('bash', ['-o', 'pipefail', '-c', `${FIR} ingest ${CAPTURE} | ${FIR} detect | ${FIR} timeline --story`], { reject: false, env: { NO_COLOR: '1' } });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const stories = records(String(r.stdout));
    const att = stories.find((s) => s.actor === '192.168.1.100');
    expect(att, 'a story for the attacker').toBeDefined();
    const steps: string[] = att!.steps.map((s: any) => `${s.method}/${s.submethod}`);
    const first = (re: RegExp) => steps.findIndex((s) => re.test(s));
    const order = [/^DHCPANOM\//, /^DNSANOMALY\/(FORBIDDEN|UNUSUAL)SERVER$/, /^SCANS\/ARP$/, /^SCANS\/TCP/, /^SSHDICT\//];
    const at = order.map(first);
    for (const [i, a] of at.entries()) expect(a, String(order[i])).toBeGreaterThanOrEqual(0);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(att!.steps.some((s: any) => s.method === 'SSHDICT' && s.submethod === 'SUCCESS')).toBe(true);
    expect(att!.text).toMatch(/rogue DHCP server[\s\S]*DNS[\s\S]*ARP-scanned[\s\S]*port-scanned[\s\S]*guessed SSH passwords[\s\S]*logged in/);
    expect(att!.victims).toContain('192.168.1.225');
  }, 120_000);
});
