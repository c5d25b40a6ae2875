// Bytes from the network turned into safe text: printable ASCII stays, everything else becomes
// \DDD (decimal, as dig prints it), so no control character or non-ASCII byte enters a string.

function buildTable(special: string): string[] {
  const t: string[] = new Array<string>(256);
  for (let b = 0; b < 256; b++) {
    if (b <= 0x20 || b >= 0x7f) t[b] = '\\' + String(b).padStart(3, '0');
    else {
      const c = String.fromCharCode(b);
      t[b] = special.includes(c) ? '\\' + c : c;
    }
  }
  return t;
}

/** Escapes for a DNS label (dig's presentation format): also `.` `\` and the zone-file specials. */
const LABEL = buildTable('.\\"();@$');
/** Escapes for free text (TXT strings, DHCP host names, banners): only `\` and `"` besides the non-printables. */
const TEXT = buildTable('\\"');
TEXT[0x20] = ' ';

/** A DNS label's bytes as presentation text. */
export function labelText(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += LABEL[buf[i]];
  return s;
}

/** Free text from bytes, at most maxBytes of them (the cut is marked with `...`). */
export function bytesText(buf: Uint8Array, start: number, end: number, maxBytes = 1024): string {
  let s = '';
  const stop = end - start > maxBytes ? start + maxBytes : end;
  for (let i = start; i < stop; i++) s += TEXT[buf[i]];
  return stop < end ? s + '...' : s;
}

/** A host name (DHCP option 12/15/81, TLS SNI): label escaping but dots kept as separators. */
export function hostText(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const b = buf[i];
    s += b === 0x2e ? '.' : LABEL[b];
  }
  return s;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Bytes as lower-case hex pairs joined by sep (':' for MACs and client ids, '' for blobs). */
export function hexText(buf: Uint8Array, start: number, end: number, sep = ':', maxBytes = 256): string {
  let s = '';
  const stop = end - start > maxBytes ? start + maxBytes : end;
  for (let i = start; i < stop; i++) s += i === start ? HEX[buf[i]] : sep + HEX[buf[i]];
  return stop < end ? s + '...' : s;
}

export function ipv4Text(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

export function u16(buf: Uint8Array, off: number): number {
  return (buf[off] << 8) | buf[off + 1];
}

export function u32(buf: Uint8Array, off: number): number {
  return ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
}
