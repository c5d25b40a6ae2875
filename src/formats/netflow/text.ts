// Helpers of the text readers (nfdump, Zeek, Suricata, Argus, CSV): lines of a stream with
// their numbers, times in the forms those tools write, and JSON objects split out of a stream
// that may be one array (nfdump -o json) or one object per line.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { putDigits } from '../../bytes.js';

/** Lines of a stream, without their terminators (a trailing CR too); `first` numbers lines[0] from 1. */
export interface LineBatch {
  lines: string[];
  first: number;
}

/** Lines of one input stream in batches (one per chunk read): plain strings, no object a line. */
export async function* lineBatches(input: Readable): AsyncGenerator<LineBatch> {
  const dec = new StringDecoder('utf8');
  let rest = '';
  let next = 1;
  // `known`: the leading part already searched (the carried-over rest has no newline)
  const split = (text: string, final: boolean, known: number): LineBatch | undefined => {
    const lines: string[] = [];
    let from = 0;
    for (let search = known; ; search = from) {
      const nl = text.indexOf('\n', search);
      if (nl < 0) break;
      const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      lines.push(text.slice(from, end));
      from = nl + 1;
    }
    rest = from === 0 ? text : text.slice(from);
    if (final && rest.length) {
      lines.push(rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest);
      rest = '';
    }
    if (!lines.length) return undefined;
    const b = { lines, first: next };
    next += lines.length;
    return b;
  };
  // a 4 MiB read holds ~50,000 lines: hand them on in smaller batches so that the records
  // made of one batch stay few (memory), and output starts early
  const MAX = 2048;
  function* pieces(b: LineBatch): Generator<LineBatch> {
    if (b.lines.length <= MAX) {
      yield b;
      return;
    }
    for (let i = 0; i < b.lines.length; i += MAX) yield { lines: b.lines.slice(i, i + MAX), first: b.first + i };
  }
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const b = split(rest + (typeof chunk === 'string' ? chunk : dec.write(chunk)), false, rest.length);
    if (b) yield* pieces(b);
  }
  const b = split(rest + dec.end(), true, rest.length);
  if (b) yield* pieces(b);
}

const DIGIT = (c: number) => c >= 48 && c <= 57;

function num(s: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = s.charCodeAt(i);
    if (!DIGIT(c)) return NaN;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * `YYYY-MM-DD HH:MM:SS(.fff…)`, `YYYY/MM/DD …`, ISO 8601 with `T` and an optional zone (`Z`,
 * `+hh:mm`, `+hhmm`); without a zone the time is taken as UTC. Epoch ms, or NaN.
 */
export function parseDateTime(s: string): number {
  if (s.length < 19) return NaN;
  const sep = s.charCodeAt(4);
  if ((sep !== 45 && sep !== 47) || s.charCodeAt(7) !== sep) return NaN;
  const t = s.charCodeAt(10);
  if (t !== 32 && t !== 84 && t !== 116) return NaN;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const y = num(s, 0, 4), mo = num(s, 5, 2), d = num(s, 8, 2), h = num(s, 11, 2), mi = num(s, 14, 2), se = num(s, 17, 2);
  if (Number.isNaN(y + mo + d + h + mi + se) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return NaN;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44) {
    i++;
    let scale = 100;
    const from = i;
    while (i < s.length && DIGIT(s.charCodeAt(i))) {
      ms += (s.charCodeAt(i) - 48) * scale;
      scale /= 10;
      i++;
    }
    if (i === from) return NaN;
    ms = Math.floor(ms + 1e-6);
  }
  let off = 0;
  if (i < s.length) {
    const z = s.charCodeAt(i);
    if ((z === 90 || z === 122) && i === s.length - 1) off = 0;
    else if (z === 43 || z === 45) {
      const rest = s.slice(i + 1).replace(':', '');
      if (rest.length !== 4) return NaN;
      const oh = num(rest, 0, 2), om = num(rest, 2, 2);
      if (Number.isNaN(oh + om)) return NaN;
      off = (z === 43 ? 1 : -1) * (oh * 60 + om) * 60000;
    } else return NaN;
  }
  return Date.UTC(y, mo - 1, d, h, mi, se, ms) - off;
}

/** Seconds since the epoch with an optional fraction (`1700000000.914062`) to ms, or NaN. */
export function parseEpochSeconds(s: string): number {
  if (s.length === 0 || s.length > 24) return NaN;
  const dot = s.indexOf('.');
  const wholeLength = dot < 0 ? s.length : dot;
  if (wholeLength === 0 || wholeLength > 12) return NaN;
  for (let i = 0; i < s.length; i++) if (i !== dot && !DIGIT(s.charCodeAt(i))) return NaN;
  return Math.floor(Number(s) * 1000 + 1e-6);
}

export type TimeFormat = 'iso' | 'datetime' | 'epoch' | 'epoch-ms' | 'epoch-us' | 'epoch-ns';
export const TIME_FORMATS: readonly TimeFormat[] = ['iso', 'datetime', 'epoch', 'epoch-ms', 'epoch-us', 'epoch-ns'];

/** A time in a named format, or sniffed from its shape when `fmt` is undefined. Epoch ms, or NaN. */
export function parseTime(s: string, fmt?: TimeFormat): number {
  // (trim is a call even when there is nothing to trim: printable ASCII at both ends)
  const a = s.charCodeAt(0);
  const z = s.charCodeAt(s.length - 1);
  const t = a > 32 && a < 127 && z > 32 && z < 127 ? s : s.trim();
  switch (fmt) {
    case 'iso': case 'datetime': return PARSE_TIMES.of(t);
    case 'epoch': return parseEpochSeconds(t);
    case 'epoch-ms': return /^\d{1,16}(\.\d+)?$/.test(t) ? Math.floor(Number(t)) : NaN;
    case 'epoch-us': return /^\d{1,19}$/.test(t) ? Math.floor(Number(t) / 1000) : NaN;
    case 'epoch-ns': return /^\d{1,22}$/.test(t) ? Math.floor(Number(BigInt(t) / 1000000n)) : NaN;
  }
  if (t.length >= 19 && (t.charCodeAt(4) === 45 || t.charCodeAt(4) === 47)) return PARSE_TIMES.of(t);
  const dot = t.indexOf('.');
  const intLen = dot < 0 ? t.length : dot;
  if (!/^\d+(\.\d+)?$/.test(t)) return NaN;
  // 10 digits: seconds (until 2286); 13: ms; 16: µs; 19: ns
  if (intLen <= 11) return parseEpochSeconds(t);
  if (intLen <= 14) return Math.floor(Number(t));
  if (intLen <= 17) return Math.floor(Number(t) / 1000);
  return Math.floor(Number(t) / 1e6);
}

/** Where a JsonScanner is between two pieces of text (plain data, for a worker to go on from). */
export interface JsonScanState {
  depth: number;
  inStr: boolean;
  esc: boolean;
  /** the unfinished object's text so far ('' when none) */
  buf: string;
  startLine: number;
}

export const JSON_SCAN_START: JsonScanState = { depth: 0, inStr: false, esc: false, buf: '', startLine: 0 };

/** An object of a JsonScanner (its text and the line it starts on), or a bad line (`bad` says why, text is empty). */
export interface ScannedObject {
  text: string;
  line: number;
  bad?: string;
  /** JSON.parse(text), when the scanner parsed it already (an object with no `}` inside its text) */
  value?: unknown;
}

/**
 * The scanner of jsonObjects: JSON objects of text fed piece by piece, each with the line it
 * starts on; text outside objects (`[`, `,`, `]`, white space) is passed over, anything else
 * is a bad line: given to `bad`, or with `bad` undefined, returned among the objects in line order.
 */
export class JsonScanner {
  private buf: string;
  private depth: number;
  private inStr: boolean;
  private esc: boolean;
  private start: number;
  private startLine: number;
  private junkLine = 0;
  /** objects still to try as flat ones (parsed up to their first `}`) before the scan goes on without: 8 after one that was */
  private flatTries = 8;

  constructor(
    private readonly bad: ((line: number, reason: string) => void) | undefined,
    /** the number of the line the next text begins on */
    public line = 1,
    from: JsonScanState = JSON_SCAN_START,
    private readonly maxObject = 16 << 20,
  ) {
    this.buf = from.buf;
    this.depth = from.depth;
    this.inStr = from.inStr;
    this.esc = from.esc;
    this.startLine = from.startLine;
    this.start = from.buf.length ? 0 : -1;
  }

  /** where the scan is (to go on from in another scanner) */
  state(): JsonScanState {
    return { depth: this.depth, inStr: this.depth > 0 && this.inStr, esc: this.depth > 0 && this.esc, buf: this.buf, startLine: this.depth > 0 ? this.startLine : 0 };
  }

  /** the objects that end in this text (with what came before) */
  feed(text: string): ScannedObject[] {
    const out: ScannedObject[] = [];
    const bad = this.bad ?? ((line: number, reason: string) => void out.push({ text: '', line, bad: reason }));
    const maxObject = this.maxObject;
    // only the new text is scanned (the carried unfinished object was): positions count from
    // the start of the carried text, `base` characters before the new text; a flat string
    // scans faster than the two joined
    const carried = this.buf;
    const base = carried.length;
    const b = text;
    const len = b.length;
    // the state in locals for the scan (a field is slower to reach), stored back after
    let d = this.depth;
    let str = this.inStr;
    let es = this.esc;
    let st = this.start;
    let stLine = this.startLine;
    let ln = this.line;
    // where the next backslash and line end are (looked up when passed)
    let nextBs = -1;
    let nextNl = -1;
    for (let i = 0; i < len; i++) {
      const c = b.charCodeAt(i);
      if (c === 10) ln++;
      if (d === 0) {
        if (c === 123) {
          if (this.flatTries > 0) {
            // an object with no `}` inside (no object in it, none in its strings), as nfdump
            // writes them: the text up to the first `}` is it exactly when it parses (valid JSON
            // balances its brackets and closes its strings, so the scan below would end there
            // too); it is handed on parsed, its lines counted. Else the scan below reads it.
            const close = b.indexOf('}', i);
            if (close >= 0 && close + 1 - i <= maxObject) {
              const text = b.slice(i, close + 1);
              let value: unknown;
              try {
                value = JSON.parse(text);
              } catch {
                value = undefined;
              }
              if (value !== undefined) {
                const line = ln;
                for (let p = b.indexOf('\n', i); p >= 0 && p < close; p = b.indexOf('\n', p + 1)) ln++;
                out.push({ text, line, value });
                this.flatTries = 8;
                i = close;
                continue;
              }
            }
            this.flatTries--;
          }
          d = 1;
          st = base + i;
          stLine = ln;
          str = false;
        } else if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 44 && c !== 91 && c !== 93) {
          if (this.junkLine !== ln) bad(ln, 'not a JSON object');
          this.junkLine = ln;
        }
        continue;
      }
      if (str) {
        if (es) es = false;
        else if (c === 92) es = true;
        else if (c === 34) str = false;
        continue;
      }
      if (c === 34) {
        // a string without a backslash or a line end in it: to its closing quote at once
        const q = b.indexOf('"', i + 1);
        if (q >= 0) {
          if (nextBs <= i) {
            nextBs = b.indexOf('\\', i + 1);
            if (nextBs < 0) nextBs = len;
          }
          if (nextNl <= i) {
            nextNl = b.indexOf('\n', i + 1);
            if (nextNl < 0) nextNl = len;
          }
          if (q < nextBs && q < nextNl) {
            i = q;
            continue;
          }
        }
        str = true;
      } else if (c === 123 || c === 91) d++;
      else if (c === 125 || c === 93) {
        d--;
        if (d === 0) {
          out.push({ text: st >= base ? b.slice(st - base, i + 1) : carried.slice(st) + b.slice(0, i + 1), line: stLine });
          st = -1;
        }
      } else if (c === 10 && d > 0 && base + i - st > maxObject) {
        bad(stLine, `JSON object longer than ${maxObject} bytes`);
        d = 0;
        st = -1;
      }
    }
    this.depth = d;
    this.inStr = str;
    this.esc = es;
    this.startLine = stLine;
    this.line = ln;
    // keep only the unfinished object
    if (st >= 0) {
      this.buf = st >= base ? b.slice(st - base) : carried.slice(st) + b;
      this.start = 0;
    } else {
      this.buf = '';
      this.start = -1;
    }
    return out;
  }

  /** the end of the input: an unfinished object is reported (returned when there is no `bad`) */
  end(): ScannedObject[] {
    if (this.depth <= 0) return [];
    const reason = 'the input ends inside a JSON object';
    if (!this.bad) return [{ text: '', line: this.startLine, bad: reason }];
    this.bad(this.startLine, reason);
    return [];
  }
}

/**
 * JSON objects of a stream that holds either one JSON array of objects or objects one after
 * another (one per line or pretty-printed): each with the line it starts on. Text outside
 * objects (`[`, `,`, `]`, white space) is passed over; anything else is reported as a bad line.
 */
export async function* jsonObjects(input: Readable, bad: (line: number, reason: string) => void, maxObject = 16 << 20): AsyncGenerator<{ text: string; line: number }[]> {
  const dec = new StringDecoder('utf8');
  const scan = new JsonScanner(bad, 1, JSON_SCAN_START, maxObject);
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const out = scan.feed(typeof chunk === 'string' ? chunk : dec.write(chunk));
    if (out.length) yield out;
  }
  const out = scan.feed(dec.end());
  if (out.length) yield out;
  scan.end();
}

/** Non-negative integer of a text field, or undefined. */
export function intOf(s: string | undefined): number | undefined {
  if (s === undefined || s.length === 0 || s.length > 16) return undefined;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * Fields of a delimited line without splitting it: `starts[i]` is where field i begins and
 * `starts[n]` is one past the end of the line plus one; returns n, the number of fields.
 */
export function fieldStarts(line: string, sep: number, starts: Int32Array, upTo = starts.length - 2, need = Infinity): number {
  const sepText = sep === 44 ? ',' : sep === 9 ? '\t' : String.fromCharCode(sep);
  let n = 0;
  starts[0] = 0;
  // indexOf is vectorised in V8: faster than a charCodeAt loop over the line
  for (let i = line.indexOf(sepText); i >= 0; i = line.indexOf(sepText, i + 1)) {
    if (++n >= starts.length - 1) break;
    starts[n] = i + 1;
    // the fields after `upTo` are not needed: what is left counts as one
    if (n > upTo) {
      starts[n + 1] = line.length + 1;
      return n + 1 + countOf(line, sep, i + 1, need - n - 1);
    }
  }
  starts[n + 1] = line.length + 1;
  return n + 1;
}

/** separators in line from `from` on, counted up to `enough` */
function countOf(line: string, sep: number, from: number, enough = Infinity): number {
  const t = sep === 44 ? ',' : String.fromCharCode(sep);
  let k = 0;
  for (let i = line.indexOf(t, from); i >= 0 && k < enough; i = line.indexOf(t, i + 1)) k++;
  return k;
}

/** A reusable view of one delimited line's fields. */
export class Fields {
  line = '';
  /** fields in the line */
  n = 0;
  /** fields whose place is known (set's upTo) */
  located = 0;
  readonly starts: Int32Array;
  constructor(
    readonly sep: number,
    max = 256,
  ) {
    this.starts = new Int32Array(max + 2);
  }
  /**
   * the fields of `line`; with `upTo`, only fields 0..upTo are located (n still counts all, or
   * with `need` stops counting there: n is then exact only when below need)
   */
  set(line: string, upTo?: number, need?: number): this {
    this.line = line;
    this.n = fieldStarts(line, this.sep, this.starts, upTo, need);
    this.located = upTo === undefined ? this.n : Math.min(this.n, upTo + 1);
    return this;
  }
  /** field i ('' when the line has fewer) */
  get(i: number): string {
    if (i < 0 || i >= this.located) return '';
    return this.line.slice(this.starts[i], this.starts[i + 1] - 1);
  }
  /** where field i begins in the line (the line's length when the line has fewer) */
  from(i: number): number {
    return i < 0 || i >= this.located ? this.line.length : this.starts[i];
  }
  /** one past the end of field i */
  to(i: number): number {
    return i < 0 || i >= this.located ? this.line.length : this.starts[i + 1] - 1;
  }
  /** field i as a non-negative integer (intOf), without slicing it out; -1 when it is not one */
  int(i: number): number {
    if (i < 0 || i >= this.located) return -1;
    return intAt(this.line, this.starts[i], this.starts[i + 1] - 1);
  }
  /** true when field i is exactly `text` */
  is(i: number, text: string): boolean {
    if (i < 0 || i >= this.located) return text === '';
    const a = this.starts[i];
    return this.starts[i + 1] - 1 - a === text.length && this.line.startsWith(text, a);
  }
}

/** A one-entry cache in front of a time parser: consecutive rows often share their time text. */
export function cachedTime(parse: (s: string) => number): (s: string) => number {
  let last = '';
  let lastMs = NaN;
  return (s: string) => {
    if (s === last) return lastMs;
    last = s;
    lastMs = parse(s);
    return lastMs;
  };
}

/**
 * parseDateTime of `s.slice(from, to)` with the text up to the minute cached: the rows of one
 * file share their minute, so a row costs a compare and the seconds, fraction and zone by hand.
 * Exactly parseDateTime's result; anything unusual goes to parseDateTime itself.
 */
export class DateTimeReader {
  // the last 8 minutes seen (rows of a file come in roughly, not strictly, time order)
  private readonly prefixes: string[] = new Array<string>(8).fill('');
  private readonly minutes = new Float64Array(8);
  private last = 0;
  private next = 0;

  at(s: string, from: number, to: number): number {
    const len = to - from;
    if (len < 19 || s.charCodeAt(from + 16) !== 58) return parseDateTime(s.slice(from, to));
    let k = this.last;
    if (!s.startsWith(this.prefixes[k], from) || this.prefixes[k].length !== 16) {
      k = -1;
      for (let j = 0; j < 8; j++) {
        if (this.prefixes[j].length === 16 && s.startsWith(this.prefixes[j], from)) {
          k = j;
          break;
        }
      }
      if (k < 0) {
        const p = s.slice(from, from + 16);
        const m = parseDateTime(p + ':00');
        if (Number.isNaN(m)) return parseDateTime(s.slice(from, to));
        k = this.next;
        this.next = (k + 1) & 7;
        this.prefixes[k] = p;
        this.minutes[k] = m;
      }
      this.last = k;
    }
    const minuteMs = this.minutes[k];
    const a = s.charCodeAt(from + 17) - 48;
    const b = s.charCodeAt(from + 18) - 48;
    if (a < 0 || a > 9 || b < 0 || b > 9) return NaN;
    const se = a * 10 + b;
    if (se > 60) return NaN;
    let i = from + 19;
    let ms = 0;
    if (i < to) {
      const c = s.charCodeAt(i);
      if (c !== 46 && c !== 44) return parseDateTime(s.slice(from, to)); // a zone without a fraction
      i++;
      let scale = 100;
      const f0 = i;
      while (i < to) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        ms += d * scale;
        scale /= 10;
        i++;
      }
      if (i === f0) return NaN;
      ms = Math.floor(ms + 1e-6);
      if (i < to) {
        // a zone: Z, +hhmm or +hh:mm here; anything else as parseDateTime reads it
        const off = zoneMs(s, i, to);
        if (Number.isNaN(off)) return parseDateTime(s.slice(from, to));
        return minuteMs + se * 1000 + ms - off;
      }
    }
    return minuteMs + se * 1000 + ms;
  }

  /** parseDateTime(s) */
  of(s: string): number {
    return this.at(s, 0, s.length);
  }
}

/** The offset of a zone `Z`, `+hhmm` or `+hh:mm` (or `-`) at s[i, to) in ms, as parseDateTime takes it; NaN for any other text. */
function zoneMs(s: string, i: number, to: number): number {
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) return i === to - 1 ? 0 : NaN;
  if (z !== 43 && z !== 45) return NaN;
  const n = to - i - 1;
  const colon = n === 5 && s.charCodeAt(i + 3) === 58;
  if (n !== 4 && !colon) return NaN;
  const oh = num(s, i + 1, 2);
  const om = num(s, colon ? i + 4 : i + 3, 2);
  if (Number.isNaN(oh + om)) return NaN;
  return (z === 43 ? 1 : -1) * (oh * 60 + om) * 60000;
}

/** parseTime's date-times: parseDateTime with the minute cached */
const PARSE_TIMES = new DateTimeReader();

/** Non-negative integer of `s.slice(from, to)` (as intOf), or -1. */
export function intAt(s: string, from: number, to: number): number {
  const len = to - from;
  if (len <= 0 || len > 16) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * NDJSON text of one batch, gathered as UTF-8 bytes and handed on as one flat string: cheaper
 * than a string grown with += (a rope of thousands of pieces that the output must flatten).
 */
export class TextSink {
  private buf = Buffer.allocUnsafe(1 << 21);
  /** bytes written (a writer that took `reserve` sets it past what it wrote) */
  used = 0;

  /** the buffer, with room for n more bytes from `used` on: a line writer writes there from a local offset, then sets `used` */
  reserve(n: number): Buffer {
    this.room(n);
    return this.buf;
  }

  /** room for n more bytes */
  private room(n: number): void {
    const need = this.used + n;
    if (need > this.buf.length) {
      const b = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(b, 0, 0, this.used);
      this.buf = b;
    }
  }

  /** append a line and its newline */
  line(s: string): void {
    this.text(s);
    this.buf[this.used++] = 10;
  }

  /** append text as UTF-8 (with room for a newline after it) */
  text(s: string): void {
    const n = s.length;
    this.room(n * 3 + 1);
    if (n <= 64) {
      // short text, ASCII so far: byte by byte (no call into the encoder); from the first other character on, the encoder
      const b = this.buf;
      let u = this.used;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 128) break;
        b[u++] = c;
      }
      this.used = u;
      if (i === n) return;
      this.used += b.write(i ? s.slice(i) : s, u, 'utf8');
      return;
    }
    this.used += this.buf.write(s, this.used, 'utf8');
  }

  /** append text the caller knows is ASCII, byte by byte (no string to flatten) */
  ascii(s: string): void {
    const n = s.length;
    this.room(n + 1);
    const b = this.buf;
    let u = this.used;
    for (let i = 0; i < n; i++) b[u++] = s.charCodeAt(i);
    this.used = u;
  }

  /** append a 32-bit unsigned number as 8 lower-case hex digits */
  hex32(x: number): void {
    this.room(8);
    const b = this.buf;
    let u = this.used + 8;
    this.used = u;
    for (let k = 0; k < 8; k++) {
      const d = x & 15;
      b[--u] = d < 10 ? 48 + d : 87 + d;
      x >>>= 4;
    }
  }

  /** append a string as JSON text, quotes included (JSON.stringify's escaping) */
  json(s: string): void {
    const n = s.length;
    this.room(n + 3);
    const b = this.buf;
    let u = this.used;
    b[u++] = 34;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 32 || c === 34 || c === 92 || c > 126) {
        // escaping or non-ASCII: the slow way, from the start of the string
        this.text(JSON.stringify(s));
        return;
      }
      b[u++] = c;
    }
    b[u++] = 34;
    this.used = u;
  }

  /** append a number as JSON text (null for NaN and the infinities) */
  num(v: number): void {
    if (v >= 0 && v < 1e15 && Math.floor(v) === v && !Object.is(v, -0)) {
      this.room(17);
      this.used = putDigits(this.buf, this.used, v);
      return;
    }
    this.ascii(Number.isFinite(v) ? '' + v : 'null');
  }

  /** end a line */
  newline(): void {
    this.room(1);
    this.buf[this.used++] = 10;
  }

  get empty(): boolean {
    return this.used === 0;
  }

  /** the text so far as UTF-8 bytes of their own (transferable); the sink is empty again */
  takeBytes(): Buffer {
    const b = Buffer.allocUnsafeSlow(this.used);
    this.buf.copy(b, 0, 0, this.used);
    this.used = 0;
    return b;
  }

  /** the text so far; the sink is empty again */
  take(): string {
    const s = this.buf.toString('utf8', 0, this.used);
    this.used = 0;
    return s;
  }
}
