// ALIENDEV/NEWDEVICE: a device that nobody knows appears and talks. A device is its MAC where
// the flows have layer 2 (smac), else its address; only local addresses (--local-nets, else
// private and link-local space) are devices, remote peers are not.
//   - With `--inventory FILE` (a CSV or a plain list: every field that is a MAC or an IP address
//     counts, header lines and other columns are passed over): a device whose MAC (when the
//     flow has one and the inventory lists MACs) or address is not listed.
//   - Without: the devices seen in the learning period (learning_s of flow time from the first
//     flow) are the known ones; a device first seen after it is new, and the detail says that it
//     was decided from the traffic. (A streamed input has no known length, so the learning period
//     is a time, not a share of the capture.)
// Talking means sending an IP flow to a unicast address: ARP, DHCP from 0.0.0.0 and multicast
// announcements alone are not enough. The event's src is the device's address, the targets the
// peers it talked to; it is written report_after_s after the device first talked (or at the
// end of input), so it lists what the device did in that time.
import { METHOD_DEFAULTS } from '../config.js';
import type { DetectionMethod, MethodContext, MethodInstance } from '../types.js';
import type { Flow } from '../../record.js';
import { canonicalMac, parseIp } from '../../net.js';
import { escapeControl } from '../../term.js';
import { addId, fmtList, isLocal, isUnicast, plural } from '../util.js';

export interface Inventory {
  macs: Set<string>;
  ips: Set<string>;
}

/** The key under which the command hands the parsed inventory to the method (DetectConfig). */
export const INVENTORY_KEY = 'inventory';

/**
 * Read an inventory: a CSV (any column may hold the MAC or the address) or a plain list, `#`
 * comments. A line without a MAC or an address is reported, except a header line.
 */
export function parseInventory(text: string): { inventory: Inventory; problems: { line: number; message: string }[] } {
  const macs = new Set<string>();
  const ips = new Set<string>();
  const problems: { line: number; message: string }[] = [];
  const lines = text.split('\n');
  let firstContent = true;
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    const hash = l.indexOf('#');
    if (hash >= 0) l = l.slice(0, hash);
    l = l.trim();
    if (!l) continue;
    let found = false;
    for (const raw of l.split(/[,;\t ]+/)) {
      const w = raw.replace(/^["']|["']$/g, '');
      if (!w) continue;
      const mac = /^[0-9a-fA-F]{2}([-:.]?[0-9a-fA-F]{2}){5}$|^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(w) ? canonicalMac(w) : undefined;
      if (mac) {
        macs.add(mac);
        found = true;
        continue;
      }
      const ip = parseIp(w);
      if (ip) {
        ips.add(ip.text);
        found = true;
      }
    }
    if (!found && !firstContent) problems.push({ line: i + 1, message: `no MAC or IP address: ${escapeControl(l.slice(0, 80))}` });
    firstContent = false;
  }
  return { inventory: { macs, ips }, problems };
}

/** the two halves of the last MAC read by macHalves() */
let macHi = 0;
let macLo = 0;

function hexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
}

/** Whether k is a MAC as flows carry it (`02:00:88:84:5c:2f`, lowercase); its 24-bit halves go to macHi, macLo. */
function macHalves(k: string): boolean {
  if (k.length !== 17) return false;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 17; i += 3) {
    if (i > 0 && k.charCodeAt(i - 1) !== 58) return false;
    const a = hexDigit(k.charCodeAt(i));
    const b = hexDigit(k.charCodeAt(i + 1));
    if (a < 0 || b < 0) return false;
    if (i < 9) hi = (hi << 8) | (a << 4) | b;
    else lo = (lo << 8) | (a << 4) | b;
  }
  macHi = hi;
  macLo = lo;
  return true;
}

/**
 * A set of device keys. MACs in the form flows carry are kept as numbers in an open-addressing
 * table of typed arrays, so the lookup every flow makes neither hashes nor compares a string;
 * other keys (addresses, MACs written otherwise: distinct strings, as in a Set) go in a Set.
 */
export class DeviceKeys {
  private his = new Int32Array(1024);
  private los = new Int32Array(1024);
  private used = new Uint8Array(1024);
  private macs = 0;
  private readonly other = new Set<string>();

  get size(): number {
    return this.macs + this.other.size;
  }

  private slot(hi: number, lo: number): number {
    const mask = this.used.length - 1;
    let i = (Math.imul(hi ^ Math.imul(lo, 0x9e3779b1), 0x85ebca6b) >>> 7) & mask;
    while (this.used[i] === 1 && (this.his[i] !== hi || this.los[i] !== lo)) i = (i + 1) & mask;
    return i;
  }

  has(k: string): boolean {
    if (!macHalves(k)) return this.other.has(k);
    return this.used[this.slot(macHi, macLo)] === 1;
  }

  add(k: string): void {
    if (!macHalves(k)) {
      this.other.add(k);
      return;
    }
    const hi = macHi;
    const lo = macLo;
    const i = this.slot(hi, lo);
    if (this.used[i] === 1) return;
    this.used[i] = 1;
    this.his[i] = hi;
    this.los[i] = lo;
    if (++this.macs * 2 > this.used.length) this.grow();
  }

  private grow(): void {
    const his = this.his;
    const los = this.los;
    const used = this.used;
    const n = used.length * 2;
    this.his = new Int32Array(n);
    this.los = new Int32Array(n);
    this.used = new Uint8Array(n);
    for (let j = 0; j < used.length; j++) {
      if (used[j] !== 1) continue;
      const i = this.slot(his[j]!, los[j]!);
      this.used[i] = 1;
      this.his[i] = his[j]!;
      this.los[i] = los[j]!;
    }
  }
}

interface Device {
  ip: string;
  mac: string | undefined;
  first: number;
  last: number;
  flows: number;
  bytes: number;
  peers: Set<string>;
  ports: Set<number>;
  ids: string[];
  reportAt: number;
}

export const aliendev: DetectionMethod = {
  name: 'ALIENDEV',
  submethods: ['NEWDEVICE'],
  title: { NEWDEVICE: 'new device' },
  attack: { NEWDEVICE: { tactic: 'initial-access', technique: 'T1200' } },
  priority: { NEWDEVICE: 'medium' },
  windowMs: METHOD_DEFAULTS.ALIENDEV.event_window_s * 1000,
  defaults: METHOD_DEFAULTS.ALIENDEV,
  create(ctx: MethodContext): MethodInstance {
    const s = ctx.settings;
    const inv = ctx.config[INVENTORY_KEY] as Inventory | undefined;
    const learnMs = s.learning_s * 1000;
    const afterMs = s.report_after_s * 1000;
    /** devices known (from the learning period) or already judged */
    const known = new DeviceKeys();
    const fresh = new Map<string, Device>();
    let start = Infinity;
    let full = false;

    function remember(key: string): void {
      if (known.size >= s.max_devices) {
        full = true;
        return;
      }
      known.add(key);
    }

    function report(d: Device): void {
      const by = d.mac ? `MAC ${d.mac}` : `address ${d.ip}`;
      const why = inv ? `not in the inventory (${plural(inv.macs.size, 'MAC')}, ${plural(inv.ips.size, 'address', 'addresses')})` : `first seen ${Math.round((d.first - start) / 1000)} s after the input began, after the ${s.learning_s} s learning period (decided from the traffic, no --inventory)`;
      ctx.emit({
        method: 'ALIENDEV',
        submethod: 'NEWDEVICE',
        src: d.ip,
        targets: [...d.peers],
        start: d.first,
        end: d.last,
        ...(d.ports.size ? { ports: [...d.ports].sort((a, b) => a - b) } : {}),
        detail: `a device with ${by}${d.mac ? ` at ${d.ip}` : ''}, ${why}, sent ${plural(d.flows, 'flow')} to ${plural(d.peers.size, 'peer')} (${fmtList([...d.peers])})`,
        evidence: { ...(d.mac ? { mac: d.mac } : {}), ip: d.ip, decided_from: inv ? 'inventory' : 'learning period', ...(inv ? {} : { learning_s: s.learning_s }), flows_sent: d.flows, bytes_sent: d.bytes, peers: d.peers.size },
        flows: d.ids,
      });
    }

    function due(now: number): void {
      for (const [key, d] of fresh) {
        if (now >= d.reportAt) {
          fresh.delete(key);
          report(d);
        }
      }
    }

    return {
      flow(f: Flow, t: number, tEnd: number) {
        if (t < start) start = t;
        const proto = f.proto;
        if (!inv && t <= start + learnMs && !full) {
          // in the learning period the devices that answer are known too
          const dmac = typeof f.dmac === 'string' ? f.dmac : undefined;
          const dip = f.dst;
          if (dmac !== undefined) {
            if (!known.has(dmac) && dmac !== 'ff:ff:ff:ff:ff:ff') remember(dmac);
          } else if (dip !== undefined && !known.has(dip) && isUnicast(dip) && isLocal(dip, ctx.localNets)) remember(dip);
        }
        if (proto === 'arp') return;
        const ip = f.src;
        if (ip === undefined) return;
        const mac = typeof f.smac === 'string' ? f.smac : undefined;
        const byMac = mac !== undefined && (!inv || inv.macs.size > 0);
        const key = byMac ? mac! : ip;
        // the common case first: a device already known
        if (known.has(key) && (fresh.size === 0 || !fresh.has(key))) return;
        if (!isUnicast(ip) || !isLocal(ip, ctx.localNets)) return;
        const dst = f.dst;
        if (!isUnicast(dst) || dst === ip) return;
        const d = fresh.get(key);
        if (d) {
          if (tEnd > d.last) d.last = tEnd;
          d.flows++;
          d.bytes += f.bytes;
          if (d.peers.size < 1000) d.peers.add(dst);
          if (f.dport !== undefined && d.ports.size < 100) d.ports.add(f.dport);
          addId(d.ids, f.id);
          return;
        }
        if (known.has(key)) return;
        let isNew: boolean;
        if (inv) {
          isNew = byMac ? !inv.macs.has(mac!) : inv.ips.size > 0 && !inv.ips.has(ip);
        } else {
          isNew = t > start + learnMs;
        }
        if (!isNew) {
          if (!full) remember(key);
          return;
        }
        if (fresh.size >= s.max_devices) return;
        remember(key);
        const nd: Device = { ip, mac: byMac ? mac : undefined, first: t, last: tEnd, flows: 1, bytes: f.bytes, peers: new Set([dst]), ports: new Set(), ids: [], reportAt: t + afterMs };
        if (f.dport !== undefined) nd.ports.add(f.dport);
        addId(nd.ids, f.id);
        fresh.set(key, nd);
      },
      advance(now) {
        if (fresh.size) due(now);
      },
      finish() {
        due(Infinity);
      },
    };
  },
};

export default aliendev;
