// Inline SVG charts of an actor's traffic over time: bars per time bin on a time axis shared
// by every chart of the report, a value axis with round ticks, and the actor's events as
// shaded bands in their priority colour. Pure string building: no script, nothing fetched.
import { isoTime } from '../../record.js';
import { humanBytes, humanCount, humanDuration } from '../../render/human.js';
import { esc } from './escape.js';
import { PRIORITY_COLORS } from './style.js';

export interface ChartBin {
  /** start of the bin, ms */
  t: number;
  value: number;
}

export interface ChartMark {
  start: number;
  end: number;
  priority: string;
  label: string;
}

export interface ChartSpec {
  title: string;
  /** what a bar measures, for the axis ("bytes", "flows") */
  unit: 'bytes' | 'flows';
  bins: ChartBin[];
  binMs: number;
  /** the time axis: the same for every chart of a report */
  from: number;
  to: number;
  marks: ChartMark[];
}

const W = 560;
const H = 210;
const M = { left: 66, right: 14, top: 30, bottom: 42 };

/** Nice widths of a time bin: the smallest that gives at most `want` bins over the span. */
const BIN_WIDTHS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800].map((s) => s * 1000);

export function chooseBinMs(spanMs: number, want = 60): number {
  for (const b of BIN_WIDTHS) if (spanMs / b <= want) return b;
  return BIN_WIDTHS[BIN_WIDTHS.length - 1];
}

/** Round tick step for a value axis: 1, 2 or 5 times a power of ten (of 1024 for bytes). */
function valueStep(max: number, unit: ChartSpec['unit'], ticks = 4): number {
  const raw = max / ticks;
  if (raw <= 0) return 1;
  if (unit === 'bytes' && raw >= 1024) {
    const mag = 1024 ** Math.floor(Math.log(raw) / Math.log(1024));
    for (const m of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1024]) if (m * mag >= raw) return m * mag;
  }
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return Math.max(1, m * mag);
  return Math.max(1, 10 * mag);
}

const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800].map((s) => s * 1000);

function timeLabel(ms: number, stepMs: number, spanMs: number): string {
  const iso = isoTime(ms);
  const clock = stepMs < 60_000 ? iso.slice(11, 19) : iso.slice(11, 16);
  return spanMs >= 86_400_000 ? `${iso.slice(5, 10)} ${clock}` : clock;
}

function fmtValue(v: number, unit: ChartSpec['unit']): string {
  return unit === 'bytes' ? humanBytes(v) : humanCount(v);
}

const n1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** One chart as an inline <svg> element. */
export function trafficChart(spec: ChartSpec): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const from = spec.from;
  const to = spec.to > spec.from ? spec.to : spec.from + Math.max(spec.binMs, 1000);
  const span = to - from;
  const x = (t: number) => M.left + ((Math.min(Math.max(t, from), to) - from) / span) * pw;
  const max = Math.max(0, ...spec.bins.map((b) => b.value));
  const step = valueStep(max, spec.unit);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const y = (v: number) => M.top + ph - (v / top) * ph;
  const out: string[] = [];
  const label = `${spec.title}: ${spec.unit} per ${humanDuration(spec.binMs)}`;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}" font-family="system-ui, sans-serif" font-size="11">`);
  out.push(`<title>${esc(label)}</title>`);
  out.push(`<text x="${M.left}" y="15" font-size="12" font-weight="600" fill="#1d2430">${esc(spec.title)}</text>`);
  // event bands under the bars
  // longest first, so that short events stay visible on top of long ones
  const marks = spec.marks.slice().sort((a, b) => b.end - b.start - (a.end - a.start));
  for (const m of marks) {
    const x0 = x(m.start);
    const x1 = Math.max(x(m.end), x0 + 2);
    const c = PRIORITY_COLORS[m.priority] ?? PRIORITY_COLORS.info;
    // a light band over the plot, and a solid strip above it that stays readable where bands overlap
    out.push(`<rect x="${n1(x0)}" y="${M.top}" width="${n1(x1 - x0)}" height="${ph}" fill="${c}" fill-opacity="0.09"><title>${esc(m.label)}</title></rect>`);
    out.push(`<rect x="${n1(x0)}" y="${M.top - 6}" width="${n1(x1 - x0)}" height="4" fill="${c}" fill-opacity="0.85"><title>${esc(m.label)}</title></rect>`);
    out.push(`<line x1="${n1(x0)}" x2="${n1(x0)}" y1="${M.top}" y2="${M.top + ph}" stroke="${c}" stroke-width="1" stroke-opacity="0.6"/>`);
  }
  // value grid and axis
  for (let v = 0; v <= top + step / 2; v += step) {
    const yy = n1(y(v));
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${yy}" y2="${yy}" stroke="${v === 0 ? '#98a2b3' : '#e4e8ee'}" stroke-width="1"/>`);
    out.push(`<text x="${M.left - 6}" y="${n1(y(v) + 3.5)}" text-anchor="end" fill="#5f6b7a">${esc(fmtValue(v, spec.unit))}</text>`);
  }
  // bars
  const bw = Math.max(1, (spec.binMs / span) * pw - (spec.binMs / span) * pw * 0.15);
  for (const b of spec.bins) {
    if (!(b.value > 0)) continue;
    const x0 = x(b.t);
    const yy = y(b.value);
    const hh = Math.max(1, M.top + ph - yy);
    out.push(`<rect x="${n1(x0)}" y="${n1(M.top + ph - hh)}" width="${n1(Math.min(bw, M.left + pw - x0))}" height="${n1(hh)}" fill="${spec.unit === 'bytes' ? '#2f6db3' : '#3f8f7a'}"><title>${esc(`${timeLabel(b.t, 1000, span)} UTC: ${fmtValue(b.value, spec.unit)}`)}</title></rect>`);
  }
  // time axis
  const tstep = TIME_STEPS.find((s) => span / s <= 6) ?? TIME_STEPS[TIME_STEPS.length - 1];
  out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#667085" stroke-width="1"/>`);
  for (let t = Math.ceil(from / tstep) * tstep, i = 0; t <= to && i < 40; t += tstep, i++) {
    const xx = n1(x(t));
    out.push(`<line x1="${xx}" x2="${xx}" y1="${M.top + ph}" y2="${M.top + ph + 4}" stroke="#667085"/>`);
    out.push(`<text x="${xx}" y="${M.top + ph + 16}" text-anchor="middle" fill="#5f6b7a">${esc(timeLabel(t, tstep, span))}</text>`);
  }
  out.push(`<text x="${M.left + pw / 2}" y="${H - 6}" text-anchor="middle" fill="#5f6b7a">time (UTC), ${esc(humanDuration(spec.binMs))} bins</text>`);
  out.push(`<text transform="translate(13 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#5f6b7a">${spec.unit === 'bytes' ? 'bytes' : 'flows'}</text>`);
  out.push('</svg>');
  return out.join('');
}
