// The sniffers of the text formats, in a module of their own so that `fir ingest` can pick a
// reader without loading them all (each reader is loaded when a source is in its format).

const CSV_ROW = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?,/;

function headText(head: Buffer): string {
  return head.subarray(0, 4096).toString('latin1');
}

export function sniffNfdumpCsv(head: Buffer): boolean {
  const t = headText(head);
  return t.startsWith('ts,te,td,sa,da,') || CSV_ROW.test(t);
}

export function sniffNfdumpJson(head: Buffer): boolean {
  const t = headText(head).trimStart();
  return (t.startsWith('[') || t.startsWith('{')) && /^[[\s]*\{\s*"type"\s*:\s*"(FLOW|EVENT)"/.test(t);
}

export function sniffZeek(head: Buffer): boolean {
  const t = head.subarray(0, 8192).toString('latin1');
  if (/^#separator /m.test(t) || /^#fields\t/m.test(t)) return true;
  const first = t.trimStart().split('\n', 1)[0];
  return first.startsWith('{') && /"(id\.orig_h|id)"\s*:/.test(first) && /"uid"\s*:/.test(first) && !first.includes('"event_type"');
}

export function sniffEve(head: Buffer): boolean {
  const first = head.subarray(0, 8192).toString('latin1').trimStart().split('\n', 1)[0];
  return first.startsWith('{') && /"event_type"\s*:\s*"/.test(first) && /"timestamp"\s*:/.test(first);
}

export function sniffArgus(head: Buffer): boolean {
  const first = head.subarray(0, 2048).toString('latin1').split('\n', 1)[0];
  return first.includes(',') && first.includes('SrcAddr') && first.includes('DstAddr') && (first.includes('StartTime') || first.includes('LastTime'));
}

export function sniffCsv(head: Buffer): boolean {
  const first = head.subarray(0, 4096).toString('latin1').split('\n', 1)[0];
  return !first.startsWith('#') && !first.startsWith('{') && (first.match(/,/g)?.length ?? 0) >= 2 && /[A-Za-z]/.test(first);
}
