// A hand-written recursive-descent parser of the filter language (fir-filter(7)). Precedence:
// not > and > or; parentheses group. Values are checked here (addresses, ports, times), so a
// bad value is reported with the column of the value, not found later per record.
import { canonicalMac, parseCidr, parseIPv4, type Cidr } from '../net.js';
import { priorityRank } from '../record.js';
import { FilterSyntaxError, tokenize, type Token } from './lexer.js';

/** Which side of a flow a term looks at; `any` is either side. */
export type Dir = 'src' | 'dst' | 'any';
export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Numeric fields compared with an operator. */
export type CountField = 'packets' | 'bytes' | 'flows' | 'vlan' | 'duration' | 'icmp_type' | 'icmp_code';

export type Node =
  | { type: 'and'; left: Node; right: Node }
  | { type: 'or'; left: Node; right: Node }
  | { type: 'not'; expr: Node }
  | { type: 'any' }
  /** ip/host/net: the address on the side is in one of the networks */
  | { type: 'addr'; dir: Dir; cidrs: Cidr[] }
  /** events: one of `targets` is in one of the networks */
  | { type: 'target'; cidrs: Cidr[] }
  | { type: 'family'; version: 4 | 6 }
  | { type: 'port'; dir: Dir; op: CmpOp; value: number }
  | { type: 'portlist'; dir: Dir; ranges: [number, number][] }
  /** the record's `proto` is one of these (lower case) */
  | { type: 'proto'; values: string[] }
  /** all the flag bits of `mask` are set (src: `flags`, dst: `rflags`) */
  | { type: 'flags'; dir: 'src' | 'dst'; mask: number }
  | { type: 'count'; field: CountField; dir: Dir; op: CmpOp; value: number }
  /** the time, cut to the precision written, compared: [from, to) is the period written */
  | { type: 'time'; field: 'start' | 'end'; op: CmpOp; from: number; to: number }
  | { type: 'mac'; dir: Dir; mac: string }
  /** a name field (path into the record) equal, case-insensitively, to one of the values */
  | { type: 'name'; path: string[]; values: string[]; negate: boolean }
  /** dns.qname equal to one of the names or (suffix) ending with `.NAME` */
  | { type: 'dnsname'; names: string[]; suffix: boolean; negate: boolean }
  | { type: 'priority'; op: CmpOp; rank: number }
  /** attack.technique equal to one of the ids or a sub-technique of it */
  | { type: 'technique'; ids: string[] };

/** A lookup table without a prototype, so `constructor` or `__proto__` typed in an expression is just unknown. */
export function table<T>(entries: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

const CMP_WORDS: Record<string, CmpOp> = table({ eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' });
const CMP_OPS: Record<string, CmpOp> = table({ '=': '==', '==': '==', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' });

/** Protocol names and numbers: the values a record's `proto` may carry for each. */
const PROTOCOLS: Record<string, string[]> = table({
  tcp: ['tcp', '6'],
  udp: ['udp', '17'],
  icmp: ['icmp', '1'],
  icmp6: ['icmp6', '58'],
  icmpv6: ['icmp6', '58'],
  'ipv6-icmp': ['icmp6', '58'],
  arp: ['arp'],
  sctp: ['132', 'sctp'],
  igmp: ['2', 'igmp'],
  gre: ['47', 'gre'],
  esp: ['50', 'esp'],
  ah: ['51', 'ah'],
  ospf: ['89', 'ospf'],
  pim: ['103', 'pim'],
  vrrp: ['112', 'vrrp'],
});
const PROTO_BY_NUMBER: Record<string, string> = table({});
for (const [name, vals] of Object.entries(PROTOCOLS)) {
  const num = vals.find((v) => /^\d+$/.test(v));
  if (num !== undefined && !(num in PROTO_BY_NUMBER)) PROTO_BY_NUMBER[num] = name;
}

/** TCP flag bits as on the wire; X is nfdump's "all flags" (UAPRSF). */
const FLAG_BITS: Record<string, number> = table({ F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, C: 128, X: 63 });

/** Simple name fields: keyword → path into the record. */
const NAME_FIELDS: Record<string, string[]> = table({
  app: ['app'],
  state: ['state'],
  method: ['method'],
  submethod: ['submethod'],
  kind: ['kind'],
  tactic: ['attack', 'tactic'],
});

const TERM_HINT = 'a filter term (ip, host, net, port, proto, flags, packets, bytes, duration, start, end, mac, vlan, dns, app, state, method, submethod, priority, target, ...)';

export function parseFilter(expr: string): Node {
  const p = new Parser(tokenize(expr), expr);
  if (p.peek().type === 'end') throw new FilterSyntaxError('empty expression (use `any` to pass every record)', 1, expr);
  const node = p.parseOr();
  const t = p.peek();
  if (t.type !== 'end') {
    throw p.error(t, t.type === ')' ? 'unbalanced ): no ( to close' : `expected and, or, or the end of the expression, found ${describe(t)}`);
  }
  return node;
}

function describe(t: Token): string {
  if (t.type === 'end') return 'the end of the expression';
  if (t.type === 'string') return `"${t.text}"`;
  return `'${t.text}'`;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly toks: Token[],
    private readonly expr: string,
  ) {}

  peek(): Token {
    return this.toks[this.pos];
  }

  private next(): Token {
    const t = this.toks[this.pos];
    if (t.type !== 'end') this.pos++;
    return t;
  }

  error(t: Token, message: string): FilterSyntaxError {
    return new FilterSyntaxError(message, t.col, this.expr);
  }

  private isWord(t: Token, ...words: string[]): boolean {
    return t.type === 'word' && words.includes(t.text.toLowerCase());
  }

  parseOr(): Node {
    let left = this.parseAnd();
    for (;;) {
      const t = this.peek();
      if (this.isWord(t, 'or') || (t.type === 'op' && t.text === '||')) {
        this.next();
        left = { type: 'or', left, right: this.parseAnd() };
      } else return left;
    }
  }

  private parseAnd(): Node {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (this.isWord(t, 'and') || (t.type === 'op' && t.text === '&&')) {
        this.next();
        left = { type: 'and', left, right: this.parseUnary() };
      } else return left;
    }
  }

  private parseUnary(): Node {
    const t = this.peek();
    if (this.isWord(t, 'not') || (t.type === 'op' && t.text === '!')) {
      this.next();
      return { type: 'not', expr: this.parseUnary() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Node {
    const t = this.peek();
    if (t.type === '(') {
      this.next();
      const inner = this.parseOr();
      const close = this.peek();
      if (close.type !== ')') throw this.error(close, `expected ) to close the ( at column ${t.col}, found ${describe(close)}`);
      this.next();
      return inner;
    }
    return this.parseTerm();
  }

  private parseTerm(): Node {
    const t = this.next();
    if (t.type !== 'word') throw this.error(t, `expected ${TERM_HINT}, found ${describe(t)}`);
    const kw = t.text.toLowerCase();
    if (kw === 'src' || kw === 'dst') return this.parseDirected(kw, t);
    switch (kw) {
      case 'any':
      case 'all':
        return { type: 'any' };
      case 'ip':
      case 'host':
        return this.parseAddr('any', false);
      case 'net':
        return this.parseAddr('any', true);
      case 'port':
        return this.parsePort('any');
      case 'mac':
        return this.parseMac('any');
      case 'packets':
      case 'pkts':
        return this.parseCount('packets', 'any');
      case 'bytes':
        return this.parseCount('bytes', 'any');
      case 'flows':
        return this.parseCount('flows', 'any');
      case 'vlan':
        return this.parseCount('vlan', 'any');
      case 'icmp-type':
      case 'icmp_type':
        return this.parseCount('icmp_type', 'any');
      case 'icmp-code':
      case 'icmp_code':
        return this.parseCount('icmp_code', 'any');
      case 'duration':
        return this.parseCount('duration', 'any');
      case 'flags':
        return this.parseFlags('src');
      case 'rflags':
        return this.parseFlags('dst');
      case 'start':
      case 'end':
        return this.parseTime(kw);
      case 'proto':
        return this.parseProto();
      case 'target':
      case 'targets':
        return this.parseTarget();
      case 'priority':
        return this.parsePriority();
      case 'dns':
        return this.parseDns();
      case 'technique':
        return this.parseTechnique();
      case 'ipv4':
      case 'inet':
        return { type: 'family', version: 4 };
      case 'ipv6':
      case 'inet6':
        return { type: 'family', version: 6 };
    }
    if (NAME_FIELDS[kw]) return this.parseName(NAME_FIELDS[kw], kw);
    if (PROTOCOLS[kw]) return { type: 'proto', values: PROTOCOLS[kw] };
    throw this.error(t, `expected ${TERM_HINT}, found ${describe(t)}`);
  }

  /** After `src`/`dst`: ip, host, net, port, mac, packets, bytes, flags, or an address (tcpdump's `src 10.0.0.1`). */
  private parseDirected(dir: 'src' | 'dst', at: Token): Node {
    const t = this.peek();
    if (t.type === 'word') {
      const kw = t.text.toLowerCase();
      switch (kw) {
        case 'ip':
        case 'host':
          this.next();
          return this.parseAddr(dir, false);
        case 'net':
          this.next();
          return this.parseAddr(dir, true);
        case 'port':
          this.next();
          return this.parsePort(dir);
        case 'mac':
          this.next();
          return this.parseMac(dir);
        case 'packets':
        case 'pkts':
          this.next();
          return this.parseCount('packets', dir);
        case 'bytes':
          this.next();
          return this.parseCount('bytes', dir);
        case 'flags':
          this.next();
          return this.parseFlags(dir);
      }
      const c = parseCidr(t.text);
      if (c) {
        this.next();
        return { type: 'addr', dir, cidrs: [c] };
      }
    }
    throw this.error(t, `expected ip, host, net, port, mac, packets, bytes, flags or an address after '${at.text}', found ${describe(t)}`);
  }

  /** `ADDR`, `ADDR/LEN`, `in [list]`; for net also `ADDR mask MASK` and `ADDR MASK`. */
  private parseAddr(dir: Dir, net: boolean): Node {
    return { type: 'addr', dir, cidrs: this.parseAddrValues(net) };
  }

  private parseAddrValues(net: boolean): Cidr[] {
    const t = this.peek();
    if (this.isWord(t, 'in')) {
      this.next();
      return this.parseList('an address or network').map((item) => this.cidrOf(item, true));
    }
    const v = this.next();
    if (v.type !== 'word' && v.type !== 'string') throw this.error(v, `expected ${net ? 'a network such as 10.0.0.0/8' : 'an IP address'}, found ${describe(v)}`);
    if (net && !v.text.includes('/')) {
      // nfdump's `net 10.0.0.0 255.0.0.0` and `net 10.0.0.0 mask 255.0.0.0`
      let m = this.peek();
      if (this.isWord(m, 'mask')) {
        this.next();
        m = this.next();
        return [this.maskedNet(v, m)];
      }
      if (m.type === 'word' && parseIPv4(m.text) >= 0) {
        this.next();
        return [this.maskedNet(v, m)];
      }
      throw this.error(v, `expected a network such as 10.0.0.0/8 or 10.0.0.0 mask 255.0.0.0, found ${describe(v)}`);
    }
    return [this.cidrOf(v, true)];
  }

  private maskedNet(addr: Token, mask: Token): Cidr {
    if (parseIPv4(addr.text) < 0) throw this.error(addr, `a network with a mask must be IPv4, found ${describe(addr)}`);
    const m = mask.type === 'word' ? parseIPv4(mask.text) : -1;
    if (m < 0) throw this.error(mask, `expected a netmask such as 255.255.0.0, found ${describe(mask)}`);
    const host = ~m >>> 0; // the host bits: contiguous when host+1 is a power of two
    if ((host & (host + 1)) !== 0) throw this.error(mask, `not a contiguous netmask: ${mask.text}`);
    const len = Math.clz32(host);
    const c = parseCidr(`${addr.text}/${len}`);
    if (!c) throw this.error(addr, `not a network: ${addr.text} mask ${mask.text}`);
    return c;
  }

  private cidrOf(t: Token, allowNet: boolean): Cidr {
    const c = parseCidr(t.text);
    if (!c || (!allowNet && t.text.includes('/'))) {
      throw this.error(t, `not an IP address${allowNet ? ' or network' : ''}: ${t.text}`);
    }
    return c;
  }

  /** `[ a b, c ]`: words or strings separated by blanks or commas. */
  private parseList(what: string): Token[] {
    const open = this.next();
    if (open.type !== '[') throw this.error(open, `expected [ after 'in', found ${describe(open)}`);
    const items: Token[] = [];
    for (;;) {
      const t = this.next();
      if (t.type === ']') break;
      if (t.type === ',') continue;
      if (t.type === 'word' || t.type === 'string') {
        items.push(t);
        continue;
      }
      throw this.error(t, t.type === 'end' ? `expected ] to close the list at column ${open.col}` : `expected ${what} or ], found ${describe(t)}`);
    }
    if (items.length === 0) throw this.error(open, 'empty list');
    return items;
  }

  private parseOp(): CmpOp {
    const t = this.peek();
    if (t.type === 'op' && CMP_OPS[t.text]) {
      this.next();
      return CMP_OPS[t.text];
    }
    if (t.type === 'word' && CMP_WORDS[t.text.toLowerCase()]) {
      this.next();
      return CMP_WORDS[t.text.toLowerCase()];
    }
    return '==';
  }

  /** For name fields: only equality makes sense. */
  private parseEqOp(what: string): boolean {
    const t = this.peek();
    const op = this.parseOp();
    if (op !== '==' && op !== '!=') throw this.error(t, `${what} compares only with = or !=`);
    return op === '!=';
  }

  private parsePort(dir: Dir): Node {
    if (this.isWord(this.peek(), 'in')) {
      this.next();
      const ranges = this.parseList('a port').map((t): [number, number] => {
        const m = /^(\d+)(?:-(\d+))?$/.exec(t.text);
        const lo = m ? Number(m[1]) : NaN;
        const hi = m && m[2] !== undefined ? Number(m[2]) : lo;
        if (!m || lo > 65535 || hi > 65535 || hi < lo) throw this.error(t, `not a port or port range (0-65535): ${t.text}`);
        return [lo, hi];
      });
      return { type: 'portlist', dir, ranges };
    }
    const op = this.parseOp();
    const t = this.next();
    if (t.type !== 'word' || !/^\d+$/.test(t.text) || Number(t.text) > 65535) {
      throw this.error(t, `expected a port number (0-65535), found ${describe(t)}`);
    }
    return { type: 'port', dir, op, value: Number(t.text) };
  }

  private parseMac(dir: Dir): Node {
    const t = this.next();
    const mac = t.type === 'word' || t.type === 'string' ? canonicalMac(t.text) : undefined;
    if (!mac) throw this.error(t, `expected a MAC address such as 00:0c:29:4f:8e:35, found ${describe(t)}`);
    return { type: 'mac', dir, mac };
  }

  private parseCount(field: CountField, dir: Dir): Node {
    const op = this.parseOp();
    const t = this.next();
    const value = t.type === 'word' ? (field === 'duration' ? parseDurationMs(t.text) : parseCount(t.text, field === 'packets' || field === 'bytes' || field === 'flows')) : undefined;
    if (value === undefined) {
      const want = field === 'duration' ? 'a duration such as 500 (ms), 2s, 5m or 1h' : field === 'packets' || field === 'bytes' || field === 'flows' ? 'a number such as 100, 1.5k, 10M or 2G' : 'a number';
      throw this.error(t, `expected ${want}, found ${describe(t)}`);
    }
    if (field === 'vlan' && value > 4095) throw this.error(t, `not a VLAN id (0-4095): ${t.text}`);
    return { type: 'count', field, dir, op, value };
  }

  private parseFlags(dir: 'src' | 'dst'): Node {
    const t = this.next();
    if (t.type !== 'word') throw this.error(t, `expected TCP flag letters such as S or SA (from CEUAPRSF, X for all), found ${describe(t)}`);
    let mask = 0;
    for (let i = 0; i < t.text.length; i++) {
      const bit = FLAG_BITS[t.text[i].toUpperCase()];
      if (bit === undefined) throw new FilterSyntaxError(`not a TCP flag letter: ${t.text[i]} (letters: C E U A P R S F, X for all)`, t.col + i, this.expr);
      mask |= bit;
    }
    return { type: 'flags', dir, mask };
  }

  private parseTime(field: 'start' | 'end'): Node {
    const op = this.parseOp();
    const t = this.next();
    const period = t.type === 'word' || t.type === 'string' ? parsePartialTime(t.text) : undefined;
    if (!period) throw this.error(t, `expected a UTC time such as 2026-11-27, 2026-11-27T10:00 or 2026-11-27T10:00:05.250Z, found ${describe(t)}`);
    return { type: 'time', field, op, from: period[0], to: period[1] };
  }

  private parseProto(): Node {
    const items = this.isWord(this.peek(), 'in') ? (this.next(), this.parseList('a protocol')) : [this.next()];
    const values = new Set<string>();
    for (const t of items) {
      if (t.type !== 'word') throw this.error(t, `expected a protocol (tcp, udp, icmp, icmp6, arp, sctp or a number), found ${describe(t)}`);
      const name = t.text.toLowerCase();
      if (PROTOCOLS[name]) for (const v of PROTOCOLS[name]) values.add(v);
      else if (/^\d+$/.test(name) && Number(name) <= 255) {
        values.add(String(Number(name)));
        const known = PROTO_BY_NUMBER[String(Number(name))];
        if (known) for (const v of PROTOCOLS[known]) values.add(v);
      } else throw this.error(t, `not a protocol: ${t.text} (tcp, udp, icmp, icmp6, arp, sctp, gre, esp, ah, or a number 0-255)`);
    }
    return { type: 'proto', values: [...values] };
  }

  private parseTarget(): Node {
    const t = this.peek();
    if (this.isWord(t, 'ip', 'host')) {
      this.next();
      return { type: 'target', cidrs: this.parseAddrValues(false) };
    }
    if (this.isWord(t, 'net')) {
      this.next();
      return { type: 'target', cidrs: this.parseAddrValues(true) };
    }
    return { type: 'target', cidrs: this.parseAddrValues(false) };
  }

  private parsePriority(): Node {
    const rankOf = (t: Token): number => {
      const rank = t.type === 'word' ? priorityRank(t.text.toLowerCase()) : -1;
      if (rank < 0) throw this.error(t, `expected a priority (critical, high, medium, low, info), found ${describe(t)}`);
      return rank;
    };
    if (this.isWord(this.peek(), 'in')) {
      this.next();
      return this.parseList('a priority')
        .map((t): Node => ({ type: 'priority', op: '==', rank: rankOf(t) }))
        .reduce((left, right) => ({ type: 'or', left, right }));
    }
    const op = this.parseOp();
    return { type: 'priority', op, rank: rankOf(this.next()) };
  }

  private parseName(path: string[], what: string): Node {
    const inList = this.isWord(this.peek(), 'in');
    const negate = inList ? false : this.parseEqOp(what);
    const items = inList ? (this.next(), this.parseList(`a ${what}`)) : [this.next()];
    for (const t of items) if (t.type !== 'word' && t.type !== 'string') throw this.error(t, `expected a ${what} name, found ${describe(t)}`);
    return { type: 'name', path, values: items.map((t) => t.text.toLowerCase()), negate };
  }

  private parseDns(): Node {
    const t = this.next();
    const kw = t.type === 'word' ? t.text.toLowerCase() : '';
    if (kw === 'name' || kw === 'qname') {
      const inList = this.isWord(this.peek(), 'in');
      // `dns name example.com` matches the name and its subdomains; `dns name = x` only the name
      const opTok = this.peek();
      const hasOp = !inList && ((opTok.type === 'op' && CMP_OPS[opTok.text] !== undefined) || (opTok.type === 'word' && CMP_WORDS[opTok.text.toLowerCase()] !== undefined));
      const negate = inList ? false : this.parseEqOp('dns name');
      const items = inList ? (this.next(), this.parseList('a DNS name')) : [this.next()];
      const names = items.map((n) => {
        if (n.type !== 'word' && n.type !== 'string') throw this.error(n, `expected a DNS name such as example.com, found ${describe(n)}`);
        const name = n.text.toLowerCase().replace(/\.$/, '');
        if (!name) throw this.error(n, 'empty DNS name');
        return name;
      });
      return { type: 'dnsname', names, suffix: !hasOp, negate };
    }
    if (kw === 'qtype' || kw === 'type') return this.parseName(['dns', 'qtype'], 'dns qtype');
    if (kw === 'rcode') return this.parseName(['dns', 'rcode'], 'dns rcode');
    throw this.error(t, `expected name, qtype or rcode after 'dns', found ${describe(t)}`);
  }

  private parseTechnique(): Node {
    const items = this.isWord(this.peek(), 'in') ? (this.next(), this.parseList('an ATT&CK technique')) : [this.next()];
    const ids = items.map((t) => {
      if ((t.type !== 'word' && t.type !== 'string') || !/^T\d{4}(\.\d{3})?$/i.test(t.text)) throw this.error(t, `expected an ATT&CK technique id such as T1110 or T1110.001, found ${describe(t)}`);
      return t.text.toUpperCase();
    });
    return { type: 'technique', ids };
  }
}

/** `100`, `1.5k`, `10M`, `2G` (powers of 1000, as nfdump scales). */
export function parseCount(text: string, suffixes: boolean): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([kmg])?$/i.exec(text);
  if (!m || (m[2] && !suffixes)) return undefined;
  const scale = m[2] ? { k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase() as 'k' | 'm' | 'g'] : 1;
  return Number(m[1]) * scale;
}

/** `500` (milliseconds, as nfdump), `500ms`, `2s`, `1.5m`, `1h`, `1d`. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'ms').toLowerCase() as 'ms' | 's' | 'm' | 'h' | 'd';
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit];
}

/**
 * A partial ISO 8601 UTC time as the period it names, [from, to) in ms: `2026-11-27` is that
 * day, `2026-11-27T10` that hour, `…T10:00` that minute, `…T10:00:05` that second,
 * `…T10:00:05.25` those 10 ms. A trailing Z is allowed; other offsets are not (times are UTC).
 */
export function parsePartialTime(text: string): [number, number] | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?)?Z?$/i.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const h = m[4] !== undefined ? Number(m[4]) : 0;
  const mi = m[5] !== undefined ? Number(m[5]) : 0;
  const s = m[6] !== undefined ? Number(m[6]) : 0;
  const frac = m[7];
  const ms = frac !== undefined ? Number(frac.padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const from = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (new Date(from).getUTCDate() !== d) return undefined; // 2026-02-30
  const width = frac !== undefined ? 10 ** (3 - frac.length) : m[6] !== undefined ? 1000 : m[5] !== undefined ? 60_000 : m[4] !== undefined ? 3_600_000 : 86_400_000;
  return [from, from + width];
}
