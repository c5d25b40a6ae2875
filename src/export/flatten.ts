// Column sets and flattening of nested records into dotted columns (csv), shared by writers
// that need one value per named field.

/** A record value as one text cell: scalars as text, arrays of scalars joined with `;`, the rest as JSON. */
export function cellText(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
      return String(v);
    case 'undefined':
      return '';
    case 'object': {
      if (v === null) return '';
      if (Array.isArray(v)) {
        let scalars = true;
        for (const x of v) if (x !== null && typeof x === 'object') scalars = false;
        if (scalars) {
          for (const x of v) if (typeof x === 'string' && x.includes(';')) scalars = false;
        }
        return scalars ? v.join(';') : JSON.stringify(v);
      }
      return JSON.stringify(v);
    }
    default:
      return String(v);
  }
}

/** The fields of the contract for each kind, in its order, nested ones dotted. */
export const KIND_COLUMNS: Record<string, string[]> = {
  event: [
    'kind', 'id', 'start', 'end', 'method', 'submethod', 'title', 'priority', 'src', 'targets', 'target_count', 'ports', 'proto',
    'detail', 'attack.tactic', 'attack.technique', 'src_host', 'src_host_at_detection', 'src_mac', 'src_user', 'cmdb.url',
  ],
  flow: [
    'kind', 'start', 'end', 'proto', 'src', 'sport', 'dst', 'dport', 'icmp_type', 'icmp_code', 'pkts', 'bytes', 'rpkts', 'rbytes',
    'flags', 'rflags', 'state', 'smac', 'dmac', 'vlan', 'app', 'dns.qname', 'dns.qtype', 'dns.rcode', 'dns.answers',
    'dhcp.msg', 'dhcp.client_mac', 'dhcp.yiaddr', 'dhcp.server_id', 'dhcp.hostname', 'arp.op', 'arp.sha', 'arp.spa', 'arp.tha', 'arp.tpa',
    'community_id', 'origin', 'id',
  ],
  summary: ['kind', 'by', 'key', 'flows', 'pkts', 'bytes', 'start', 'end'],
  bin: ['kind', 'start', 'end', 'flows', 'pkts', 'bytes'],
};

/** The name of the column that holds, as JSON, the fields that have no column of their own. */
export const EXTRA = 'extra';

type Tree = Map<string, Tree | true>;

/** Compiled column set: the path of each column and the tree used to find the remainder. */
export class Columns {
  readonly names: string[];
  private readonly paths: string[][];
  private readonly tree: Tree = new Map();
  readonly extra: boolean;

  constructor(names: string[]) {
    this.names = names;
    this.extra = names.includes(EXTRA);
    this.paths = names.map((n) => (n === EXTRA ? [] : n.split('.')));
    for (const p of this.paths) {
      if (p.length === 0) continue;
      let t = this.tree;
      for (let i = 0; i < p.length; i++) {
        const k = p[i]!;
        if (i === p.length - 1) {
          t.set(k, true);
        } else {
          let sub = t.get(k);
          if (sub === true) break;
          if (!sub) t.set(k, (sub = new Map()));
          t = sub;
        }
      }
    }
  }

  /** The value of each column for one record (undefined where the record has none). */
  values(rec: Record<string, unknown>): unknown[] {
    const out = new Array<unknown>(this.paths.length);
    for (let i = 0; i < this.paths.length; i++) out[i] = this.value(rec, i);
    return out;
  }

  /** The value of column i for one record. */
  value(rec: Record<string, unknown>, i: number): unknown {
    const p = this.paths[i]!;
    if (p.length === 0) {
      const r = remainder(rec, this.tree);
      return r === undefined ? undefined : JSON.stringify(r);
    }
    let v: unknown = rec[p[0]!];
    for (let j = 1; j < p.length && v !== undefined; j++) {
      v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[p[j]!] : undefined;
    }
    return v;
  }

  /** One line of text: the cells of the record joined by sep, each made by cell(). */
  line(rec: Record<string, unknown>, sep: string, cell: (v: unknown) => string): string {
    const n = this.paths.length;
    let s = n ? cell(this.value(rec, 0)) : '';
    for (let i = 1; i < n; i++) s += sep + cell(this.value(rec, i));
    return s;
  }
}

/** The parts of obj that no column takes, or undefined when every field has its column. */
function remainder(obj: Record<string, unknown>, tree: Tree): Record<string, unknown> | undefined {
  let r: Record<string, unknown> | undefined;
  for (const k in obj) {
    const t = tree.get(k);
    if (t === true) continue;
    const v = obj[k];
    if (t !== undefined && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const sub = remainder(v as Record<string, unknown>, t);
      if (sub !== undefined) (r ??= {})[k] = sub;
      continue;
    }
    (r ??= {})[k] = v;
  }
  return r;
}

/** Every dotted field path of a record (leaves; arrays are leaves), in first-seen order. */
export function fieldPaths(rec: Record<string, unknown>, into: Set<string>, prefix = ''): void {
  for (const k in rec) {
    const v = rec[k];
    const name = prefix + k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0) fieldPaths(v as Record<string, unknown>, into, name + '.');
    else into.add(name);
  }
}
