// fir export --format html: the page as text (escaping, CSP, determinism, options), then opened
// in headless Chromium (Debian's /usr/bin/chromium through playwright-core): it renders, asks
// for nothing over the network, logs no error, runs no injected markup, and leaves a full-page
// screenshot in test/artifacts/ for people to look at.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fir, records, ROOT, TESTDATA } from './helpers.js';

const HOSTILE = path.join(TESTDATA, 'cases', 'export-html', 'hostile', 'stdin');
const SEED = path.join(TESTDATA, 'lab', 'seed-story', 'capture.pcap');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');
const WHEN = '2026-11-28T09:00:00Z';

const hostileText = readFileSync(HOSTILE, 'utf8');
const hostile = records(hostileText);
const hostileEvents = hostile.filter((r) => r.kind === 'event');
const hostileFlows = hostile.filter((r) => r.kind === 'flow');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'fir-html-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Characters that must never reach the page from the data: C0 (but newline), DEL, C1, bidi overrides. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe('fir export --format html (the page)', () => {
  it('escapes every string from the network and keeps no control character', async () => {
    const r = await fir(['export', '--format', 'html', '--generated-at', WHEN], { input: hostileText });
    expect(r.exitCode, r.stderr).toBe(0);
    const html = r.stdout;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(CONTROL.test(html)).toBe(false);
    // no markup from the data: the only tags are the report's own
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/\son\w+=/i);
    // the hostile strings are there, as text
    expect(html).toContain('&lt;img src&#61;x onerror&#61;alert(1)&gt;');
    expect(html).toContain('&lt;/style&gt;&lt;script&gt;alert(3)&lt;/script&gt;');
    // control characters shown as visible escapes
    expect(html).toContain('\\x1b[31mred\\x07\\u{202e}gnp.exe');
    // links only to http(s), with the javascript: URL shown as text
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    for (const h of hrefs) expect(h.startsWith('#') || h.startsWith('https://') || h.startsWith('http://'), h).toBe(true);
    expect(html).toContain('javascript:alert(1)');
    // a strict CSP: nothing fetched, no script
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:; base-uri &#39;none&#39;; form-action &#39;none&#39;">`);
    expect(html).not.toMatch(/\ssrc="/);
  });

  it('has the sections, one row and one detail per event, most severe first', async () => {
    const r = await fir(['export', '--format', 'html', '--generated-at', WHEN], { input: hostileText });
    const html = r.stdout;
    for (const id of ['events', 'timeline', 'actors', 'details']) expect(html).toContain(`id="${id}"`);
    expect(html.match(/<tr class="event-row">/g)?.length).toBe(hostileEvents.length);
    expect(html.match(/<article class="event" id="ev-\d+"/g)?.length).toBe(hostileEvents.length);
    // E1 is the critical event (the SSH attack), whatever the input order
    const e1 = html.slice(html.indexOf('<article class="event" id="ev-1"'));
    expect(e1.slice(0, 400)).toContain('critical');
    expect(e1.slice(0, 600)).toContain('SSH dictionary attack');
    // two charts (bytes, flows) per actor with flows, with axes
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(2);
    expect(html).toContain('time (UTC)');
    // related flows: every flow id the evidence names is in a table
    for (const f of hostileFlows) expect(html).toContain(`>${f.id}</td>`);
    // the generation time as given
    expect(html).toContain('generated 2026-11-28 09:00:00.000 UTC');
  });

  it('is the same page for the same input (SOURCE_DATE_EPOCH or --generated-at)', async () => {
    const a = await fir(['export', '--format', 'html'], { input: hostileText, env: { SOURCE_DATE_EPOCH: '1795856400' } });
    const b = await fir(['export', '--format', 'html', '--generated-at', '2026-11-28T09:00:00.000Z'], { input: hostileText });
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('takes the flows from --flows FILE as well as from stdin', async () => {
    const ev = path.join(tmp, 'events.ndjson');
    const fl = path.join(tmp, 'flows.ndjson');
    writeFileSync(ev, hostileEvents.map((e) => JSON.stringify(e)).join('\n') + '\n');
    writeFileSync(fl, hostileFlows.map((f) => JSON.stringify(f)).join('\n') + '\n');
    const viaFile = await fir(['export', '--format', 'html', '--generated-at', WHEN, '--flows', fl, ev]);
    const mixed = await fir(['export', '--format', 'html', '--generated-at', WHEN], { input: hostileText });
    expect(viaFile.exitCode, viaFile.stderr).toBe(0);
    const body = (s: string) => s.slice(0, s.indexOf('<footer'));
    expect(body(viaFile.stdout)).toBe(body(mixed.stdout));
    // without the flows: the report says where they are missing
    const alone = await fir(['export', '--format', 'html', '--generated-at', WHEN, ev]);
    expect(alone.stdout).toContain('are not in the input (give the flow file with --flows FILE)');
    expect(alone.stdout).not.toContain('<svg ');
  });

  it('writes --out FILE, reports bad lines with source:line and still writes the page', async () => {
    const out = path.join(tmp, 'r.html');
    const r = await fir(['export', '--format', 'html', '--generated-at', WHEN, '--out', out], { input: hostileText + 'not json\n{"kind":"event","id":"x"}\n' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('fir export: stdin:30: not JSON');
    expect(r.stderr).toContain('fir export: stdin:31: event without a valid start time: left out');
    expect(readFileSync(out, 'utf8')).toContain('</html>');
  });

  it('refuses a bad --generated-at, SOURCE_DATE_EPOCH or --flows - (exit 2)', async () => {
    expect((await fir(['export', '--format', 'html', '--generated-at', 'yesterday'], { input: '' })).exitCode).toBe(2);
    expect((await fir(['export', '--format', 'html'], { input: '', env: { SOURCE_DATE_EPOCH: 'x' } })).exitCode).toBe(2);
    expect((await fir(['export', '--format', 'html', '--flows', '-'], { input: '' })).exitCode).toBe(2);
  });

  it('makes a page of an empty input', async () => {
    const r = await fir(['export', '--format', 'html', '--generated-at', WHEN], { input: '' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('No events in the input.');
  });
});

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`export-html: ${CHROMIUM} is absent: the Chromium rendering tests are skipped (apt-get install chromium)`);

describe.skipIf(!hasChromium)('fir export --format html in headless Chromium', () => {
  let browser: import('playwright-core').Browser;
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Open a report; collect console messages, page errors, requests and dialogs. */
  async function open(file: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const seen = { console: [] as string[], errors: [] as string[], requests: [] as string[], dialogs: [] as string[] };
    page.on('console', (m) => seen.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => seen.errors.push(e.message));
    page.on('request', (r) => seen.requests.push(r.url()));
    page.on('dialog', (d) => {
      seen.dialogs.push(d.message());
      void d.dismiss();
    });
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: 'load' });
    return { page, seen, url };
  }

  it('renders the hostile fixture with nothing injected and nothing fetched', async () => {
    const file = path.join(tmp, 'hostile.html');
    const r = await fir(['export', '--format', 'html', '--generated-at', WHEN, '--title', 'Hostile <names> test', '--out', file], { input: hostileText });
    expect(r.exitCode, r.stderr).toBe(0);
    const { page, seen, url } = await open(file);
    expect(await page.title()).toBe('Hostile <names> test');
    expect(await page.$('img[src=x]')).toBeNull();
    expect(await page.$$('script')).toHaveLength(0);
    expect(await page.$('a[href^="javascript:"]')).toBeNull();
    const onAttrs = await page.evaluate(() => [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.toLowerCase().startsWith('on'))).length);
    expect(onAttrs).toBe(0);
    const text = (await page.textContent('body')) ?? '';
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).toContain('"><script>alert(document.domain)</script>\\x00\\x1b]0;pwned\\x07');
    expect(text).toContain('</style><script>alert(3)</script>');
    expect(CONTROL.test(text)).toBe(false);
    expect(await page.locator('table.events tbody tr').count()).toBe(hostileEvents.length);
    await page.screenshot({ path: path.join(ARTIFACTS, 'export-html-hostile.png'), fullPage: true });
    await page.close();
    expect(seen.dialogs).toEqual([]);
    expect(seen.errors).toEqual([]);
    expect(seen.console.filter((c) => c.startsWith('error'))).toEqual([]);
    expect(seen.requests).toEqual([url]);
  });

  it.skipIf(!existsSync(SEED))('renders the seed-story investigation (ingest | detect | enrich) with charts', async () => {
    const flows = path.join(tmp, 'seed-flows.ndjson');
    const ing = await fir(['ingest', SEED]);
    expect(ing.exitCode, ing.stderr).toBe(0);
    writeFileSync(flows, ing.stdout);
    const det = await fir(['detect', flows]);
    expect(det.exitCode, det.stderr).toBe(0);
    const enr = await fir(['enrich', '--flows', flows, '--cmdb-url', 'https://cmdb.example/asset?ip={ip}&mac={mac}'], { input: det.stdout });
    expect(enr.exitCode, enr.stderr).toBe(0);
    const events = records(enr.stdout);
    expect(events.length).toBeGreaterThan(0);
    const file = path.join(tmp, 'seed.html');
    const r = await fir(['export', '--format', 'html', '--generated-at', WHEN, '--flows', flows, '--out', file], { input: enr.stdout });
    expect(r.exitCode, r.stderr).toBe(0);
    const { page, seen, url } = await open(file);
    expect(await page.title()).toBe('Network incident report');
    for (const id of ['events', 'timeline', 'actors', 'details']) expect(await page.$(`section#${id}`)).not.toBeNull();
    expect(await page.locator('table.events tbody tr').count()).toBe(events.length);
    expect(await page.locator('table.timeline tbody tr').count()).toBe(events.length);
    expect(await page.locator('article.event').count()).toBe(events.length);
    expect(await page.locator('.chart svg').count()).toBeGreaterThanOrEqual(2);
    // the counts per priority in the header add up to the events
    const counts = await page.$$eval('.fact.prio .n', (els) => els.map((e) => Number(e.textContent)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(events.length);
    // the charts are drawn with a size, not collapsed
    const box = await page.locator('.chart svg').first().boundingBox();
    expect(box && box.width > 300 && box.height > 100).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'export-html-seed-story.png'), fullPage: true });
    await page.close();
    expect(seen.errors).toEqual([]);
    expect(seen.console.filter((c) => c.startsWith('error'))).toEqual([]);
    expect(seen.requests).toEqual([url]);
  });
});
