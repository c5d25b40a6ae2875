import { describe, expect, it } from 'vitest';
import { renderReport, renderValue, type ReportInput } from './report.js';

const ev = (o: Record<string, unknown>) => ({ kind: 'event', submethod: 'X', title: 't', targets: [], detail: 'd', evidence: {}, ...o });
const flow = (o: Record<string, unknown>) => ({ kind: 'flow', proto: 'tcp', pkts: 1, bytes: 60, ...o });

function input(o: Partial<ReportInput>): ReportInput {
  return { events: [], flows: [], others: 0, generatedAt: '2026-11-28T09:00:00.000Z', title: 'T', sources: ['stdin'], version: '9.9.9', ...o };
}

describe('renderReport', () => {
  const events = [
    ev({ id: 'a', method: 'SCANS', submethod: 'TCPSYN', title: 'TCP SYN port scan', priority: 'medium', start: '2026-11-28T08:00:00.000Z', end: '2026-11-28T08:00:10.000Z', src: '10.0.0.9', targets: ['10.0.0.1'], evidence: { flows: ['f1'] } }),
    ev({ id: 'b', method: 'SSHDICT', submethod: 'SUCCESS', title: 'SSH dictionary attack', priority: 'critical', start: '2026-11-28T08:05:00.000Z', end: '2026-11-28T08:06:00.000Z', src: '10.0.0.9', targets: ['10.0.0.1'], evidence: { flows: ['f2', 'missing'] } }),
    ev({ id: 'c', method: 'DHCPANOM', submethod: 'FAKESERVER', title: 'Rogue DHCP server', priority: 'high', start: '2026-11-28T07:59:00.000Z', end: '2026-11-28T07:59:00.000Z', src: '10.0.0.7', targets: ['10.0.0.1'], src_host: '<i>x</i>', extra_field: 42, evidence: { flows: ['f3'] } }),
  ];
  const flows = [
    flow({ id: 'f1', start: '2026-11-28T08:00:00.000Z', end: '2026-11-28T08:00:00.100Z', src: '10.0.0.9', dst: '10.0.0.1', sport: 40000, dport: 22 }),
    flow({ id: 'f2', start: '2026-11-28T08:05:30.000Z', end: '2026-11-28T08:05:59.000Z', src: '10.0.0.9', dst: '10.0.0.1', sport: 40001, dport: 22, app: 'ssh', bytes: 500_000 }),
    flow({ id: 'f3', start: '2026-11-28T07:59:00.000Z', end: '2026-11-28T07:59:00.000Z', proto: 'udp', src: '10.0.0.7', dst: '255.255.255.255', dhcp: { msg: 'OFFER', hostname: '<script>' } }),
  ];
  const html = renderReport(input({ events, flows }));

  it('numbers the events most severe first and links them', () => {
    const rows = [...html.matchAll(/<tr class="event-row"><td><a class="ev" href="#ev-(\d)">E\d<\/a><\/td><td><span class="badge" style="--c:#[0-9a-f]{6}">(\w+)<\/span>/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['1', 'critical'],
      ['2', 'high'],
      ['3', 'medium'],
    ]);
    expect(html).toContain('<article class="event" id="ev-1"');
  });

  it('tells the timeline in time order', () => {
    const tl = html.slice(html.indexOf('id="timeline"'), html.indexOf('id="actors"'));
    const order = [...tl.matchAll(/href="#ev-(\d)"/g)].map((m) => m[1]);
    expect(order).toEqual(['2', '3', '1']);
  });

  it('has a section per actor with its story and, with flows, two charts', () => {
    const actors = html.slice(html.indexOf('id="actors"'), html.indexOf('id="details"'));
    expect(actors).toContain('<span class="mono">10.0.0.9</span>');
    expect(actors).toContain('<span class="mono">10.0.0.7</span>');
    expect(actors).toContain('port-scanned 10.0.0.1');
    expect(actors.match(/<svg /g)).toHaveLength(4);
    expect(actors).toContain('Top peers by bytes');
  });

  it('lists every field, the related flows found and the ids missing', () => {
    expect(html).toContain('<th class="mono">extra_field</th><td>42</td>');
    expect(html).toContain('>f2</td>');
    expect(html).toContain('1 of the 2 flows named by the evidence are not in the input');
    expect(html).toContain('OFFER, host &lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<i>x</i>');
  });

  it('counts per priority in the header', () => {
    expect(html).toMatch(/<div class="fact prio" style="--c:#b42318"><span class="n">1<\/span><span class="l">critical<\/span>/);
    expect(html).toMatch(/<div class="fact prio zero" style="--c:#1c64c4"><span class="n">0<\/span><span class="l">low<\/span>/);
  });

  it('is the same for the same input', () => {
    expect(renderReport(input({ events, flows }))).toBe(html);
  });
});

describe('renderValue', () => {
  it('folds long lists and nests objects', () => {
    const list = Array.from({ length: 30 }, (_, i) => `10.0.0.${i}`);
    const v = renderValue(list);
    expect(v).toContain('<details><summary>all 30</summary>');
    expect(renderValue({ a: { b: 1 } })).toContain('<table class="kv"><tr><th class="mono">a</th><td><table class="kv">');
    expect(renderValue([{ ip: '1.2.3.4', host: '<b>' }])).toContain('<th class="mono">ip</th><th class="mono">host</th>');
    expect(renderValue('https://x.example/')).toContain('<a href="https://x.example/"');
  });
});
