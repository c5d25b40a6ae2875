import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildStories, describeTargets, storyEvent, type StoryEvent } from './story.js';

const fixture = new URL('../../testdata/timeline/events.ndjson', import.meta.url);
const events = (): StoryEvent[] =>
  readFileSync(fixture, 'utf8')
    .trim()
    .split('\n')
    .map((l, i) => storyEvent(JSON.parse(l), i)!)
    .filter(Boolean);

describe('buildStories', () => {
  it('tells the seed story in order: rogue DHCP, forbidden DNS, ARP scan, port scans, SSH guessing and login', () => {
    const stories = buildStories(events());
    const att = stories.find((s) => s.actor === '192.168.1.100')!;
    expect(att.steps.map((s) => `${s.method}/${s.submethod}`).slice(0, 5)).toEqual(['DHCPANOM/FAKESERVER', 'DNSANOMALY/FORBIDDENSERVER', 'SCANS/ARP', 'SCANS/TCPSYN', 'SSHDICT/SUCCESS']);
    const text = att.text;
    const at = (w: string) => text.indexOf(w);
    for (const w of ['rogue DHCP', 'forbidden DNS', 'ARP-scanned', 'port-scanned', 'guessed SSH passwords', 'logged in']) expect(at(w), w).toBeGreaterThan(0);
    expect(at('rogue DHCP')).toBeLessThan(at('forbidden DNS'));
    expect(at('forbidden DNS')).toBeLessThan(at('ARP-scanned'));
    expect(at('ARP-scanned')).toBeLessThan(at('port-scanned'));
    expect(at('port-scanned')).toBeLessThan(at('guessed SSH'));
    expect(at('guessed SSH')).toBeLessThan(at('logged in'));
    expect(att.steps[0]).toMatchObject({ tactic: 'credential-access', technique: 'T1557.003', event: 'ev-dhcp' });
    expect(att.steps[2]).toMatchObject({ tactic: 'reconnaissance', technique: 'T1595.001', target_count: 254 });
    expect(att.victims).toContain('192.168.1.225');
    expect(att.start).toBe('2026-11-27T10:00:02.310Z');
    expect(att.end).toBe('2026-11-27T10:07:30.000Z');
  });
  it('tells a forbidden DNS server event under the server, with the client as victim', () => {
    const stories = buildStories(events());
    expect(stories.find((s) => s.actor === '192.168.1.225')).toBeUndefined();
    const dns = stories.find((s) => s.actor === '192.168.1.100')!.steps.find((s) => s.submethod === 'FORBIDDENSERVER')!;
    expect(dns.targets).toEqual(['192.168.1.225']);
    expect(dns.sentence).toMatch(/answered the DNS queries of 192.168.1.225/);
  });
  it('keeps the client as actor when nothing names the server', () => {
    const ev = storyEvent({ kind: 'event', id: 'q', start: '2026-11-27T10:00:00.000Z', end: '2026-11-27T10:00:00.000Z', method: 'DNSANOMALY', submethod: 'FORBIDDENSERVER', src: '10.0.0.5', targets: ['8.8.8.8'], detail: '', evidence: {} }, 0)!;
    const [s] = buildStories([ev]);
    expect(s.actor).toBe('10.0.0.5');
    expect(s.steps[0].sentence).toBe('resolved names through the forbidden DNS server 8.8.8.8');
  });
  it('orders actors by their first step and maps unknown methods plainly', () => {
    const mk = (src: string, t: string, method: string) => storyEvent({ kind: 'event', start: `2026-11-27T${t}Z`, end: `2026-11-27T${t}Z`, method, submethod: 'X', src, targets: ['10.9.9.9'], detail: 'd', title: 'Odd thing', evidence: {} }, 0)!;
    const s = buildStories([mk('10.0.0.2', '10:00:02.000', 'ODD'), mk('10.0.0.1', '10:00:01.000', 'ODD')]);
    expect(s.map((x) => x.actor)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(s[0].steps[0]).toMatchObject({ tactic: 'unknown', technique: '' });
    expect(s[0].text).toMatch(/was seen in "Odd thing" against 10.9.9.9/);
  });
  it('is not fooled by records that are not events', () => {
    expect(storyEvent({ kind: 'flow', src: '1.1.1.1', method: 'X', start: '2026-11-27T10:00:00.000Z' }, 0)).toBeUndefined();
    expect(storyEvent({ kind: 'event', src: '1.1.1.1', method: 'X', start: 'later' }, 0)).toBeUndefined();
  });
});

describe('describeTargets', () => {
  it('names up to three, then counts', () => {
    expect(describeTargets([])).toBe('nobody');
    expect(describeTargets(['a'])).toBe('a');
    expect(describeTargets(['a', 'b'])).toBe('a and b');
    expect(describeTargets(['a', 'b', 'c', 'd'])).toBe('a, b, c and 1 more (4 hosts)');
    expect(describeTargets(['a', 'b'], 254)).toBe('a, b and 252 more (254 hosts)');
  });
});
