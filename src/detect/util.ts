// Small helpers shared by the detection methods.
import { CidrSet, parseCidr } from '../net.js';

/** Whether an address can be the target of a probe: not multicast, broadcast or unspecified. */
export function isUnicast(ip: string | undefined): ip is string {
  if (ip === undefined || ip.length === 0) return false;
  const c = ip.charCodeAt(0);
  if (ip.indexOf(':') >= 0) {
    // ff00::/8 multicast, :: unspecified
    if ((c === 102 || c === 70) && (ip.charCodeAt(1) === 102 || ip.charCodeAt(1) === 70)) return false;
    return ip !== '::';
  }
  if (ip === '255.255.255.255' || ip === '0.0.0.0') return false;
  const dot = ip.indexOf('.');
  // the first number of a dotted address from its digits (this runs for most flows); anything
  // else goes through Number() as written
  if (dot >= 1 && dot <= 3) {
    let first = 0;
    for (let i = 0; i < dot; i++) {
      const d = ip.charCodeAt(i) - 48;
      if (d < 0 || d > 9) {
        first = -1;
        break;
      }
      first = first * 10 + d;
    }
    if (first >= 0) return first < 224 && first !== 0;
  }
  const first = Number(ip.slice(0, dot));
  return first < 224 && first !== 0;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A duration for a sentence: `850 ms`, `42 s`, `12 min`, `3.5 h`. */
export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Bytes for a sentence: `512 B`, `4.2 KB`, `1.3 MB`. */
export function fmtBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} KB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

/** `a, b, c and 7 more` for a sentence. */
export function fmtList(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Keep up to `max` flow ids. */
export function addId(list: string[], id: unknown, max = 20): void {
  if (list.length < max && typeof id === 'string') list.push(id);
}

/**
 * The segment an address belongs to: the smallest of the local networks holding it, else its
 * /prefix (v4Len, v6Len). Used to tell whether two servers serve the same LAN.
 */
export function segmentOf(ip: string, localNets: readonly string[], v4Len: number, v6Len: number): string {
  const isV6 = ip.indexOf(':') >= 0;
  let best: { text: string; prefix: number } | undefined;
  for (const n of localNets) {
    const c = parseCidr(n);
    if (!c || (c.version === 6) !== isV6) continue;
    const cs = parseCidr(`${ip}/${c.prefix}`);
    if (cs && cs.text === c.text && (!best || c.prefix > best.prefix)) best = { text: c.text, prefix: c.prefix };
  }
  if (best) return best.text;
  return parseCidr(`${ip}/${isV6 ? v6Len : v4Len}`)?.text ?? ip;
}

/** Whether an address is local (in --local-nets; with none given, private and link-local space). */
export function isLocal(ip: string, localNets: CidrSet): boolean {
  const set = localNets.size > 0 ? localNets : DEFAULT_LOCAL;
  // an IPv6 lookup parses to a bigint: the answers are kept (per set, up to LOCAL_CACHE addresses)
  let cache = localCaches.get(set);
  if (!cache) localCaches.set(set, (cache = new Map()));
  let v = cache.get(ip);
  if (v === undefined) {
    v = set.has(ip);
    if (cache.size >= LOCAL_CACHE) cache.clear();
    cache.set(ip, v);
  }
  return v;
}

const LOCAL_CACHE = 1 << 16;
const localCaches = new WeakMap<CidrSet, Map<string, boolean>>();

const DEFAULT_LOCAL = new CidrSet(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', 'fc00::/7', 'fe80::/10']);
