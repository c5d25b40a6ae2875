// The report's stylesheet, inlined into the page (the CSP allows inline styles and nothing
// fetched). System fonts only: no web fonts, nothing loaded. Prints cleanly on A4.

/** Colours of the priorities: badges, chart marks and the header counts. */
export const PRIORITY_COLORS: Record<string, string> = {
  critical: '#b42318',
  high: '#d9480f',
  medium: '#b7791f',
  low: '#1c64c4',
  info: '#5f6b7a',
};

export const CSS = `
:root { --ink: #1d2430; --muted: #5f6b7a; --line: #dde3ea; --soft: #f5f7fa; --accent: #1f4e79; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #eef1f5; color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; }
header.report { background: linear-gradient(135deg, #14324f, #1f4e79); color: #fff; padding: 28px 0 22px; margin-bottom: 24px; }
header.report .inner { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header.report h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; letter-spacing: .2px; }
header.report .sub { color: #c9d6e3; font-size: 13px; }
.facts { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 18px; }
.fact { background: rgba(255,255,255,.1); border: 1px solid rgba(255,255,255,.18); border-radius: 8px; padding: 10px 14px; min-width: 120px; }
.fact .n { font-size: 22px; font-weight: 650; display: block; }
.fact .l { font-size: 12px; color: #c9d6e3; text-transform: uppercase; letter-spacing: .6px; }
.fact.prio { border-left: 5px solid var(--c); }
.fact.zero { opacity: .55; }
nav.toc { margin: 14px 0 0; font-size: 13px; }
nav.toc a { color: #fff; margin-right: 18px; text-decoration: none; border-bottom: 1px dotted rgba(255,255,255,.5); }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 18px 22px 20px; margin: 0 0 22px; box-shadow: 0 1px 2px rgba(16,24,40,.04); }
section.card > h2 { margin: 0 0 4px; font-size: 19px; color: var(--accent); }
section.card > p.lead { margin: 0 0 14px; color: var(--muted); }
h3 { font-size: 16px; margin: 18px 0 8px; }
h4 { font-size: 13px; margin: 14px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .5px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; color: #344054; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.ip { white-space: nowrap; }
td.names { min-width: 160px; }
td.fid { word-break: break-all; min-width: 7em; }
.scroll { overflow-x: auto; }
table.flows td { font-size: 12px; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; }
.wrap { overflow-wrap: anywhere; word-break: break-word; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.badge { display: inline-block; min-width: 64px; text-align: center; padding: 2px 8px; border-radius: 999px; color: #fff; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .5px; background: var(--c); }
.badge.none { background: #98a2b3; }
a { color: #175cd3; }
a.ev { font-weight: 600; text-decoration: none; }
.actor { border-top: 1px solid var(--line); padding-top: 14px; margin-top: 14px; }
.actor:first-of-type { border-top: 0; margin-top: 0; padding-top: 0; }
.actor h3 { margin-top: 0; }
.story { background: var(--soft); border-left: 4px solid var(--accent); padding: 10px 14px; border-radius: 4px; margin: 6px 0 12px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 14px; margin: 10px 0; }
.chart { border: 1px solid var(--line); border-radius: 8px; padding: 8px 8px 2px; background: #fff; }
.chart svg { width: 100%; height: auto; display: block; }
.legend { font-size: 12px; color: var(--muted); margin: 4px 0 0; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin: 0 4px 0 10px; vertical-align: -1px; background: var(--c); opacity: .35; }
.event { border: 1px solid var(--line); border-left: 5px solid var(--c); border-radius: 8px; padding: 14px 18px; margin: 0 0 18px; page-break-inside: avoid; }
.event h3 { margin: 0 0 4px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.event .detail { margin: 6px 0 12px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 6px 24px; }
table.kv th { width: 1%; background: transparent; color: var(--muted); font-weight: 500; white-space: nowrap; padding-right: 16px; }
table.kv td { overflow-wrap: anywhere; }
table.kv td, table.kv th { border-bottom: 1px dashed #e8ecf1; padding: 4px 6px; }
table.kv table.kv { margin: 0; }
details > summary { cursor: pointer; color: #175cd3; }
.note { color: var(--muted); font-size: 12px; margin: 6px 0 0; }
footer.report { color: var(--muted); font-size: 12px; text-align: center; margin: 24px 0; }
@media print {
  body { background: #fff; }
  header.report { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.card { box-shadow: none; border: 0; padding: 0; }
  .badge, .fact, .event { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  nav.toc { display: none; }
}
`;
