// What the traffic says about each host: its names over time (DNS answers, PTR answers, DHCP
// host names, leases) and its MAC address (DHCP, ARP, layer 2). Built in one pass over the
// flows of the investigation; memory grows with the number of hosts, not of flows.
import { canonicalIp, canonicalMac, type CidrSet } from '../net.js';

/** Where a name or MAC was learned, strongest last. */
export type Origin = 'l2' | 'dns' | 'ptr' | 'lease' | 'dhcp' | 'arp';

interface Sighting<T> {
  t: number;
  v: T;
}

/** The values of one host over time, kept sorted; consecutive repeats are merged. */
export class History<T> {
  private list: Sighting<T>[] = [];
  static readonly MAX = 64;

  add(t: number, v: T): void {
    const l = this.list;
    let i = l.length;
    while (i > 0 && l[i - 1]!.t > t) i--;
    if (i > 0 && l[i - 1]!.v === v) return; // the same value, already known since earlier
    if (i < l.length && l[i]!.v === v) {
      l[i]!.t = t; // seen earlier than we knew
      return;
    }
    l.splice(i, 0, { t, v });
    // bounded per host: keep the first sightings and the most recent ones
    if (l.length > History.MAX) l.splice(History.MAX / 2, 1);
  }

  /** The value valid at t: the last one seen at or before t, else the first one seen after. */
  at(t: number): T | undefined {
    const l = this.list;
    if (l.length === 0) return undefined;
    if (Number.isNaN(t)) return l[l.length - 1]!.v;
    let lo = 0;
    let hi = l.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (l[mid]!.t <= t) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return l[best < 0 ? 0 : best]!.v;
  }

  latest(): T | undefined {
    return this.list.length ? this.list[this.list.length - 1]!.v : undefined;
  }

  get size(): number {
    return this.list.length;
  }
}

/** A MAC used as the layer-2 source for more addresses than this is a router's. */
const GATEWAY_ADDRESSES = 8;

export interface HostTableOptions {
  /** where layer-2 addresses are trusted for the IP → MAC map (default: any address not behind a router MAC) */
  localNets?: CidrSet;
}

const IPV4_ARPA = /^((?:\d{1,3}\.){4})in-addr\.arpa\.?$/i;
const IPV6_ARPA = /^((?:[0-9a-f]\.){32})ip6\.arpa\.?$/i;

/** The address that a reverse-lookup name stands for. */
export function arpaAddress(qname: string): string | undefined {
  let m = IPV4_ARPA.exec(qname);
  if (m) return canonicalIp(m[1]!.slice(0, -1).split('.').reverse().join('.'));
  m = IPV6_ARPA.exec(qname);
  if (m) {
    const nib = m[1]!.replace(/\./g, '').split('').reverse().join('');
    return canonicalIp(nib.match(/..../g)!.join(':'));
  }
  return undefined;
}

/** A host name as stored: trailing dot removed, at most 253 characters, empty when unusable. */
export function cleanName(s: unknown, lower: boolean): string {
  if (typeof s !== 'string') return '';
  let n = s.trim();
  if (n.endsWith('.')) n = n.slice(0, -1);
  if (n.length > 253) n = n.slice(0, 253);
  return lower ? n.toLowerCase() : n;
}

/**
 * An address that forward DNS answers give more distinct names than this is not named from
 * DNS: a wildcard resolver (a rogue DNS server answers every name with its own address) or
 * shared hosting would otherwise lend it whatever name was asked last.
 */
export const DNS_NAMES_MAX = 3;

export class HostTable {
  /** names from PTR answers, DHCP host names and leases: what the host is called */
  readonly names = new Map<string, History<string>>();
  /** names from forward DNS answers: what clients asked for and got this address */
  readonly dnsNames = new Map<string, History<string>>();
  /** distinct forward-DNS names per address, counted up to DNS_NAMES_MAX + 1 */
  private readonly dnsDistinct = new Map<string, Set<string>>();
  private readonly macs = new Map<string, { mac: string; strong: boolean; t: number }>();
  private readonly l2 = new Map<string, { mac: string; t: number }>();
  private readonly macAddrs = new Map<string, Set<string>>();
  /** the host name each DHCP client (by MAC) last gave, to name the address it is then leased */
  private readonly dhcpNames = new Map<string, string>();
  flows = 0;

  constructor(private readonly opts: HostTableOptions = {}) {}

  /** A name the host is known by (PTR answer, DHCP host name, lease). */
  addName(ip: string | undefined, name: string, t: number): void {
    if (!ip || !name) return;
    let h = this.names.get(ip);
    if (!h) this.names.set(ip, (h = new History()));
    h.add(t, name);
  }

  /** A name whose forward DNS answer was this address: weaker, and ambiguous when many. */
  addDnsName(ip: string | undefined, name: string, t: number): void {
    if (!ip || !name) return;
    let d = this.dnsDistinct.get(ip);
    if (!d) this.dnsDistinct.set(ip, (d = new Set()));
    if (d.size <= DNS_NAMES_MAX) d.add(name);
    let h = this.dnsNames.get(ip);
    if (!h) this.dnsNames.set(ip, (h = new History()));
    h.add(t, name);
  }

  /** Forward-DNS names of an address, unless there are too many to mean anything. */
  private dnsHistory(ip: string): History<string> | undefined {
    return (this.dnsDistinct.get(ip)?.size ?? 0) > DNS_NAMES_MAX ? undefined : this.dnsNames.get(ip);
  }

  /** A MAC learned from DHCP, ARP or a lease: stronger than layer-2 sightings. */
  addMac(ip: string | undefined, mac: string | undefined, t: number): void {
    if (!ip || !mac || ip === '0.0.0.0' || ip === '::') return;
    const cur = this.macs.get(ip);
    if (!cur || t >= cur.t) this.macs.set(ip, { mac, strong: true, t });
  }

  private addL2(ip: string | undefined, mac: string | undefined, t: number): void {
    if (!ip || !mac || mac === 'ff:ff:ff:ff:ff:ff') return;
    if (this.opts.localNets && !this.opts.localNets.has(ip)) return;
    let s = this.macAddrs.get(mac);
    if (!s) this.macAddrs.set(mac, (s = new Set()));
    if (s.size <= GATEWAY_ADDRESSES) s.add(ip);
    const cur = this.l2.get(ip);
    if (!cur || t >= cur.t) this.l2.set(ip, { mac, t });
  }

  /** Learn from one flow record. */
  flow(f: Record<string, unknown>): void {
    this.flows++;
    const t = typeof f.start === 'string' ? Date.parse(f.start) : NaN;
    const src = typeof f.src === 'string' ? f.src : undefined;
    const dst = typeof f.dst === 'string' ? f.dst : undefined;
    if (typeof f.smac === 'string') this.addL2(src, f.smac, t);
    if (typeof f.dmac === 'string') this.addL2(dst, f.dmac, t);
    const dns = f.dns as Record<string, unknown> | undefined;
    if (dns && typeof dns === 'object' && Array.isArray(dns.answers) && (dns.rcode === undefined || dns.rcode === 'NOERROR')) {
      const qname = cleanName(dns.qname, true);
      if (qname) {
        const ptr = dns.qtype === 'PTR' ? arpaAddress(qname) : undefined;
        if (ptr) {
          const name = cleanName(dns.answers.find((a) => typeof a === 'string' && canonicalIp(a) === undefined), true);
          this.addName(ptr, name, t);
        } else {
          for (const a of dns.answers) {
            if (typeof a !== 'string') continue;
            const ip = canonicalIp(a);
            if (ip) this.addDnsName(ip, qname, t);
          }
        }
      }
    }
    const dhcp = f.dhcp as Record<string, unknown> | undefined;
    if (dhcp && typeof dhcp === 'object') {
      const mac = typeof dhcp.client_mac === 'string' ? canonicalMac(dhcp.client_mac) : undefined;
      const yi = typeof dhcp.yiaddr === 'string' ? canonicalIp(dhcp.yiaddr) : undefined;
      // the address the client has: the one leased to it, else the one it sends from
      const client = yi ?? (src && src !== '0.0.0.0' && src !== '::' && dhcp.msg !== 'OFFER' && dhcp.msg !== 'ACK' ? src : undefined);
      let name = cleanName(dhcp.hostname, false);
      // a client names itself in DISCOVER/REQUEST (from 0.0.0.0); the ACK gives it the address
      if (name && mac) this.dhcpNames.set(mac, name);
      else if (!name && mac && yi) name = this.dhcpNames.get(mac) ?? '';
      if (client && name) this.addName(client, name, t);
      if (yi && mac && (dhcp.msg === undefined || dhcp.msg === 'ACK' || dhcp.msg === 'REPLY')) this.addMac(yi, mac, t);
      else if (client && mac && client === src) this.addMac(client, mac, t);
    }
    const arp = f.arp as Record<string, unknown> | undefined;
    if (arp && typeof arp === 'object' && typeof arp.spa === 'string' && typeof arp.sha === 'string') {
      const mac = canonicalMac(arp.sha);
      if (mac && mac !== '00:00:00:00:00:00') this.addMac(canonicalIp(arp.spa), mac, t);
    }
  }

  /** The name valid at t: the host's own name (PTR, DHCP, lease) before a forward-DNS one. */
  nameAt(ip: string, t: number): string | undefined {
    return this.names.get(ip)?.at(t) ?? this.dnsHistory(ip)?.at(t);
  }

  latestName(ip: string): string | undefined {
    return this.names.get(ip)?.latest() ?? this.dnsHistory(ip)?.latest();
  }

  /** The MAC of an address: from DHCP/ARP/leases, else from layer 2 unless that MAC is a router's. */
  mac(ip: string): string | undefined {
    const strong = this.macs.get(ip);
    if (strong) return strong.mac;
    const l2 = this.l2.get(ip);
    if (!l2) return undefined;
    const n = this.macAddrs.get(l2.mac)?.size ?? 0;
    return n > GATEWAY_ADDRESSES ? undefined : l2.mac;
  }

  get hosts(): number {
    return new Set([...this.names.keys(), ...this.dnsNames.keys(), ...this.macs.keys(), ...this.l2.keys()]).size;
  }
}
