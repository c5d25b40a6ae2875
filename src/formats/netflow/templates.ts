// Template state of NetFlow v9 and IPFIX, kept per exporter address and observation domain
// (v9: source id), and the data sets held until their template arrives. Everything is bounded
// so that a hostile or broken exporter cannot make the collector grow without limit.
import type { Template } from './fields.js';

/** Bounds (also in the man page). */
export const LIMITS = {
  /** exporters tracked at once; the one heard from least recently is forgotten first */
  exporters: 1024,
  /** observation domains (source ids) per exporter */
  domains: 64,
  /** templates per exporter and domain */
  templates: 1024,
  /** data sets held for a template not yet seen, per exporter */
  heldSets: 256,
  /** bytes of held data sets per exporter */
  heldBytes: 1 << 20,
};

/** What a held data set needs to be decoded later. */
export interface HeaderInfo {
  version: number;
  /** export time, epoch ms */
  exportMs: number;
  /** v5/v9 sysUptime, ms */
  sysUptime: number;
  domain: number;
  seq: number;
  packetNo: number;
}

export interface HeldSet {
  templateId: number;
  data: Buffer;
  hdr: HeaderInfo;
}

export class DomainState {
  readonly templates = new Map<number, Template>();
  /** IPFIX systemInitTimeMilliseconds (from options data), for flowStart/EndSysUpTime */
  sysInitMs?: number;
}

export class ExporterState {
  packets = 0;
  flows = 0;
  errors = 0;
  /** counters at the last stats line, to say what changed */
  reported = { packets: 0, flows: 0, errors: 0 };
  readonly domains = new Map<number, DomainState>();
  held: HeldSet[] = [];
  heldBytes = 0;
  constructor(readonly name: string) {}

  /** The domain's state; undefined when the exporter already has too many domains. */
  domain(id: number): DomainState | undefined {
    let d = this.domains.get(id);
    if (!d) {
      if (this.domains.size >= LIMITS.domains) return undefined;
      d = new DomainState();
      this.domains.set(id, d);
    }
    return d;
  }

  /** Hold a data set until its template comes; returns the sets dropped to stay in bounds. */
  hold(set: HeldSet): HeldSet[] {
    const dropped: HeldSet[] = [];
    if (set.data.length > LIMITS.heldBytes) return [set];
    this.held.push(set);
    this.heldBytes += set.data.length;
    while (this.held.length > LIMITS.heldSets || this.heldBytes > LIMITS.heldBytes) {
      const old = this.held.shift()!;
      this.heldBytes -= old.data.length;
      dropped.push(old);
    }
    return dropped;
  }

  /** Take the held sets of a template (in arrival order). */
  release(domain: number, templateId: number): HeldSet[] {
    if (this.held.length === 0) return [];
    const out: HeldSet[] = [];
    const keep: HeldSet[] = [];
    for (const h of this.held) (h.hdr.domain === domain && h.templateId === templateId ? out : keep).push(h);
    if (out.length) {
      this.held = keep;
      for (const h of out) this.heldBytes -= h.data.length;
    }
    return out;
  }
}

/** Exporters by address, least recently heard from first (Map order), bounded. */
export class ExporterTable {
  private readonly map = new Map<string, ExporterState>();
  forgotten = 0;

  get(name: string): ExporterState {
    let e = this.map.get(name);
    if (e) {
      // move to the back: most recently heard from
      this.map.delete(name);
      this.map.set(name, e);
      return e;
    }
    e = new ExporterState(name);
    this.map.set(name, e);
    if (this.map.size > LIMITS.exporters) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.forgotten++;
    }
    return e;
  }

  all(): ExporterState[] {
    return [...this.map.values()];
  }
}
