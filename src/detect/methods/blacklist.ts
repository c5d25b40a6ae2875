// BLACKLIST/HOST and DOMAIN: traffic with the addresses and networks of `--blocklist FILE`, and
// DNS queries for names under its domains. The file is a plain list, one entry a line: an
// address, a network (CIDR) or a domain (`evil.example`, `*.evil.example` and `.evil.example`
// mean the domain and every name under it); `#` starts a comment. Addresses are looked up in a
// CidrSet (one hash lookup per prefix length in the list) behind a cache of recent answers;
// names by walking their labels up through a set of domains, so lists of many thousands of
// entries cost the same per flow as short ones. With DNS answers (setting `answers`), the
// addresses a listed name resolved to count as listed while the input runs.
//
// HOST: the event's src is the flow's originator (a local host calling out to a listed address,
// or a listed host calling in), the other side the target. DOMAIN: the client asking is the src,
// the DNS server the target.
import { METHOD_DEFAULTS } from '../config.js';
import type { DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import type { Flow } from '../../record.js';
import { CidrSet, parseCidr, parseIp } from '../../net.js';
import { escapeControl } from '../../term.js';
import { addId, fmtBytes, fmtList, plural } from '../util.js';

export interface Blocklist {
  nets: CidrSet;
  domains: Set<string>;
  /** entries as written, for the evidence */
  size: number;
}

export interface BlocklistProblem {
  line: number;
  message: string;
}

const DOMAIN_RE = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** Read a blocklist's text; entries that are not an address, network or domain are reported by line. */
export function parseBlocklist(text: string): { list: Blocklist; problems: BlocklistProblem[] } {
  const nets = new CidrSet();
  const domains = new Set<string>();
  const problems: BlocklistProblem[] = [];
  let size = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    const hash = l.indexOf('#');
    if (hash >= 0) l = l.slice(0, hash);
    l = l.trim();
    if (l.length === 0) continue;
    // hosts-file style lines (`0.0.0.0 evil.example`) list the name
    const words = l.split(/\s+/);
    const entry = words.length === 2 && (words[0] === '0.0.0.0' || words[0] === '127.0.0.1' || words[0] === '::') ? words[1]! : words.length === 1 ? words[0]! : undefined;
    if (entry === undefined) {
      problems.push({ line: i + 1, message: `one entry a line expected: ${escapeControl(l.slice(0, 80))}` });
      continue;
    }
    if (entry.includes('/') ? parseCidr(entry) : parseIp(entry)) {
      nets.add(entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`);
      size++;
      continue;
    }
    const d = entry.toLowerCase().replace(/^\*?\./, '').replace(/\.$/, '');
    // a domain, or a single label (a top-level domain); not a dotted number that failed as an address
    if (DOMAIN_RE.test(d) && !/^[\d.]+$/.test(d)) {
      domains.add(d);
      size++;
      continue;
    }
    problems.push({ line: i + 1, message: `not an address, network or domain: ${escapeControl(entry.slice(0, 80))}` });
  }
  return { list: { nets, domains, size }, problems };
}

/** The listed domain a name is under (itself or a parent), if any. */
export function listedDomain(domains: Set<string>, name: string): string | undefined {
  let n = name.toLowerCase();
  if (n.endsWith('.')) n = n.slice(0, -1);
  for (;;) {
    if (domains.has(n)) return n;
    const dot = n.indexOf('.');
    if (dot < 0) return undefined;
    n = n.slice(dot + 1);
  }
}

/** The key under which the command hands the parsed list to the method (DetectConfig). */
export const BLOCKLIST_KEY = 'blocklist';

interface Hits {
  first: number;
  last: number;
  flows: number;
  /** DNS queries (a UDP flow of one client port carries one a packet) */
  queries: number;
  bytes: number;
  targets: Set<string>;
  ports: Set<number>;
  /** address → why it is listed */
  listed: Map<string, string>;
  names: string[];
  ids: string[];
}

export const blacklist: DetectionMethod = {
  name: 'BLACKLIST',
  submethods: ['HOST', 'DOMAIN'],
  title: { HOST: 'traffic with a listed host', DOMAIN: 'DNS query for a listed domain' },
  attack: {
    HOST: { tactic: 'command-and-control', technique: 'T1071' },
    DOMAIN: { tactic: 'command-and-control', technique: 'T1071.004' },
  },
  priority: { HOST: 'high', DOMAIN: 'high' },
  windowMs: METHOD_DEFAULTS.BLACKLIST.event_window_s * 1000,
  defaults: METHOD_DEFAULTS.BLACKLIST,
  create(ctx: MethodContext): MethodInstance {
    const s = ctx.settings;
    const list = ctx.config[BLOCKLIST_KEY] as Blocklist | undefined;
    if (!list || list.size === 0) return { flow() {}, finish() {} };
    const cache = new Map<string, boolean>();
    /** addresses that listed names resolved to → the name */
    const resolved = new Map<string, string>();
    const open = new Map<string, Hits>();
    const windowMs = s.event_window_s * 1000;
    let nextSweep = -Infinity;

    function listed(ip: string): boolean {
      let v = cache.get(ip);
      if (v === undefined) {
        v = list!.nets.has(ip);
        if (cache.size >= s.max_cache) cache.clear();
        cache.set(ip, v);
      }
      return v;
    }

    function report(key: string, h: Hits): void {
      const [sub, src] = key.split(' ') as ['HOST' | 'DOMAIN', string];
      const targets = [...h.targets];
      const listedAddrs = [...h.listed.keys()];
      const listedWhy = listedAddrs.map((a) => `${a} (${h.listed.get(a)})`).slice(0, 5).join(', ') + (listedAddrs.length > 5 ? ` and ${listedAddrs.length - 5} more` : '');
      const detail =
        sub === 'HOST'
          ? h.listed.has(src)
            ? `${src}, an address on the blocklist (${h.listed.get(src)}), sent ${plural(h.flows, 'flow')} (${fmtBytes(h.bytes)} both ways) to ${fmtList(targets)}`
            : `${src} exchanged ${plural(h.flows, 'flow')} (${fmtBytes(h.bytes)}) with ${listedWhy}: ${listedAddrs.length === 1 ? 'an address' : 'addresses'} on the blocklist`
          : `${src} sent ${plural(h.queries, 'DNS query', 'DNS queries')} to ${fmtList(targets)} for names under listed domains (${h.names.map(escapeControl).join(', ')}${h.names.length >= 10 ? ', …' : ''})`;
      ctx.emit({
        method: 'BLACKLIST',
        submethod: sub,
        src,
        targets,
        start: h.first,
        end: h.last,
        ...(h.ports.size ? { ports: [...h.ports].sort((a, b) => a - b) } : {}),
        detail,
        evidence: sub === 'HOST' ? { listed: Object.fromEntries(h.listed), flows_with_listed: h.flows, bytes: h.bytes, blocklist_entries: list!.size } : { names: h.names, listed_domains: [...new Set(h.listed.values())], queries: h.queries, blocklist_entries: list!.size },
        flows: h.ids,
      });
    }

    function hit(sub: 'HOST' | 'DOMAIN', src: string, target: string, f: Flow, t: number, tEnd: number, listedAddr: string, why: string, name?: string): void {
      const key = sub + ' ' + src;
      let h = open.get(key);
      if (!h) open.set(key, (h = { first: t, last: tEnd, flows: 0, queries: 0, bytes: 0, targets: new Set(), ports: new Set(), listed: new Map(), names: [], ids: [] }));
      if (t < h.first) h.first = t;
      if (tEnd > h.last) h.last = tEnd;
      h.flows++;
      h.queries += f.proto === 'udp' ? Math.max(1, f.pkts) : 1;
      h.bytes += f.bytes + (f.rbytes ?? 0);
      if (h.targets.size < 1000) h.targets.add(target);
      if (f.dport !== undefined && h.ports.size < 100) h.ports.add(f.dport);
      if (h.listed.size < 100) h.listed.set(listedAddr, why);
      if (name !== undefined && h.names.length < 10 && !h.names.includes(name)) h.names.push(name.length > 120 ? name.slice(0, 120) + '…' : name);
      addId(h.ids, f.id);
    }

    return {
      flow(f: Flow, t: number, tEnd: number) {
        const src = f.src;
        const dst = f.dst;
        if (src === undefined || dst === undefined) return;
        // ARP for a listed address is not traffic with it
        if ((list.nets.size > 0 || resolved.size > 0) && f.proto !== 'arp') {
          const sl = listed(src) || resolved.has(src);
          const dl = listed(dst) || resolved.has(dst);
          if (sl || dl) {
            const other = dl ? dst : src;
            const why = resolved.get(other) ?? 'listed';
            hit('HOST', src, dst, f, t, tEnd, other, resolved.has(other) ? `resolved from listed ${escapeControl(why)}` : 'listed');
          }
        }
        const dns = f.dns;
        if (dns !== undefined && list.domains.size > 0 && typeof dns.qname === 'string') {
          const dom = listedDomain(list.domains, dns.qname);
          if (dom !== undefined) {
            hit('DOMAIN', src, dst, f, t, tEnd, dns.qname.toLowerCase(), dom, dns.qname);
            if (s.answers && Array.isArray(dns.answers)) {
              for (const a of dns.answers) {
                if (typeof a !== 'string') continue;
                const ip = parseIp(a);
                if (ip && resolved.size < s.max_cache) resolved.set(ip.text, dom);
              }
            }
          }
        }
      },
      advance(now) {
        if (now < nextSweep) return;
        nextSweep = now + 5000;
        for (const [key, h] of open) {
          if (now > h.last + windowMs) {
            open.delete(key);
            report(key, h);
          }
        }
      },
      finish() {
        for (const [key, h] of open) report(key, h);
        open.clear();
      },
    };
  },
};

export default blacklist;
