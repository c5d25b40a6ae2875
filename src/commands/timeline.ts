// fir timeline: events (and flows) in time order, grouped by actor, or told as a story.
import type { Argv } from 'yargs';
import { buildStories, storyEvent, type Story, type StoryEvent } from '../core/story.js';
import { orderTimeline, priorityColor, timelineItem, timelineRow, type TimelineGroup, type TimelineItem } from '../core/timeline.js';
import { parseRecordLine, readLineBatches } from '../io.js';
import { tableOrNdjson } from '../options.js';
import { humanDuration } from '../render/human.js';
import { escapeControl, painter, terminalWidth, useColor, type Paint } from '../term.js';
import type { Command, Context } from './types.js';

interface Args {
  files?: string[];
  by?: string;
  sort?: string;
  story?: boolean;
  format?: string;
}

const command: Command<Args> = {
  command: 'timeline [files..]',
  describe: 'events (and flows) in time order, grouped by actor, or told as the attack story',
  builder: (y: Argv) =>
    y
      .positional('files', { describe: 'NDJSON files of events and flows (- or none: stdin)', type: 'string', array: true })
      .option('by', { describe: 'keep the records of each actor (src) or detection method together, groups in order of their first record', choices: ['src', 'method'] })
      .option('sort', { describe: 'time: by start, end, input order; priority: most severe first, then time (triage)', choices: ['time', 'priority'], default: 'time' })
      .option('story', { describe: 'for each actor, the chain of what it did, with ATT&CK tactics, victims and time span, in sentences', type: 'boolean' })
      .option('format', { describe: 'output: a table (or text for --story) on a terminal, NDJSON otherwise', choices: ['table', 'ndjson', 'text'] })
      .example('fir detect < flows.ndjson | fir timeline', 'the events in time order (a table on a terminal)')
      .example('fir timeline --by src --sort priority events.ndjson', 'triage: per attacker, most severe first')
      .example('fir timeline --story events.ndjson', 'the attack told per attacker, in order, with ATT&CK tactics')
      .example('fir timeline events.ndjson flows.ndjson --format text', 'events and flows interleaved, one line each'),
  async run(args, ctx) {
    const tty = ctx.out.isTTY;
    const format = args.format === 'text' ? 'text' : tableOrNdjson(args.format, tty);
    const color = useColor({ isTTY: tty });
    const paint = painter(color);
    const width = terminalWidth({ columns: ctx.out.columns });
    const by = args.by as TimelineGroup;

    if (args.story) {
      const events: StoryEvent[] = [];
      let seq = 0;
      for await (const batch of readLineBatches(args.files ?? [], { stdin: ctx.stdin, diag: ctx.diag })) {
        for (const l of batch) {
          const rec = parseRecordLine(l, ctx.diag);
          if (rec === undefined || rec.kind === 'flow') continue; // flows carry no steps of a story
          const ev = storyEvent(rec, seq++);
          if (!ev) ctx.diag.skip(l.source, l.line, 'not an event with src, method and start: left out of the story');
          else events.push(ev);
        }
      }
      const stories = buildStories(events);
      if (format === 'ndjson') {
        for (const s of stories) {
          const p = ctx.out.record(s);
          if (p) await p;
        }
      } else {
        for (const [i, s] of stories.entries()) {
          const p = ctx.out.text((i ? '\n' : '') + storyView(s, paint, width) + '\n');
          if (p) await p;
        }
      }
      return 0;
    }

    const items: TimelineItem[] = [];
    let seq = 0;
    for await (const batch of readLineBatches(args.files ?? [], { stdin: ctx.stdin, diag: ctx.diag })) {
      for (const l of batch) {
        const rec = parseRecordLine(l, ctx.diag);
        if (rec === undefined) continue;
        const it = timelineItem(rec, l.text, seq++, by);
        if (typeof it === 'string') ctx.diag.skip(l.source, l.line, it);
        else items.push(it);
      }
    }
    const ordered = orderTimeline(items, { sort: args.sort === 'priority' ? 'priority' : 'time', by });
    await write(ordered, format, ctx, paint, width);
    return 0;
  },
};

async function write(ordered: TimelineItem[], format: 'table' | 'ndjson' | 'text', ctx: Context, paint: Paint, width: number): Promise<void> {
  if (format === 'ndjson') {
    for (const it of ordered) {
      const p = ctx.out.line(it.raw);
      if (p) await p;
    }
    return;
  }
  // the table and text views parse each held line again, only now
  const rows = ordered.map((it) => timelineRow(JSON.parse(it.raw) as Record<string, unknown>));
  if (format === 'text') {
    for (const r of rows) {
      const c = priorityColor(r.priority);
      const head = `${r.time}  ${(r.priority || '-').padEnd(8)}  ${r.what}`;
      const line = `${c ? paint(c, escapeControl(head)) : escapeControl(head)}  ${escapeControl(r.src)}${r.targets ? ' → ' + escapeControl(r.targets) : ''}${r.detail ? ': ' + escapeControl(r.detail) : ''}`;
      const p = ctx.out.line(line);
      if (p) await p;
    }
    return;
  }
  if (rows.length === 0) return;
  const { renderTable } = await import('../render/table.js');
  // times without the date when all are on one day (the date goes in the header)
  const days = new Set(rows.map((r) => r.time.slice(0, 10)));
  const oneDay = days.size === 1 ? [...days][0] : undefined;
  const table = renderTable({
    columns: [
      { name: oneDay ? `start (${oneDay})` : 'start', min: 12 },
      { name: 'priority', min: 8 },
      // method and submethod each on a line of their own, never cut (FORBIDDENSERVER is 15)
      { name: 'what', min: Math.min(16, Math.max(12, ...rows.flatMap((r) => r.what.split('/').map((w) => w.length)))) },
      { name: 'src', min: 21 },
      { name: 'targets', min: 21, max: 34 },
      { name: 'detail', min: 20, flex: true },
    ],
    // the duration goes under the start time: one column less to share the width with
    rows: rows.map((r) => [
      [oneDay ? r.time.slice(11, 23) : r.time.replace('T', ' ').replace('Z', ''), ...(r.duration ? [`+${humanDuration(r.duration)}`] : [])],
      r.priority,
      r.what.split('/'),
      r.src,
      r.targets.split(', '),
      r.detail,
    ]),
    width,
    paint,
    rowColor: (i) => priorityColor(rows[i].priority),
  });
  const p = ctx.out.line(table);
  if (p) await p;
}

/** A story for a terminal: the actor, its steps one per line, then the sentences. */
function storyView(s: Story, paint: Paint, width: number): string {
  const e = escapeControl;
  const lines = [paint('bold', `${e(s.actor)}: ${s.steps.length} step${s.steps.length === 1 ? '' : 's'}, ${s.start} to ${s.end}`)];
  if (s.victims.length) lines.push(`victims: ${e(s.victims.slice(0, 12).join(', '))}${s.victims.length > 12 ? ` and ${s.victims.length - 12} more (${s.victims.length})` : ''}`);
  lines.push(`tactics: ${e(s.tactics.join(' → '))}`);
  for (const st of s.steps) {
    const c = priorityColor(st.priority ?? '');
    const head = `  ${st.time.slice(11, 23)}  ${st.tactic.padEnd(20)} ${st.technique.padEnd(10)} ${st.method}/${st.submethod}`;
    lines.push(c ? paint(c, e(head)) : e(head));
    lines.push(`      ${e(st.sentence)}`);
  }
  lines.push('');
  lines.push(wrap(e(s.text), Math.max(40, width - 2)));
  return lines.join('\n');
}

/** Wrap plain text at spaces to the width. */
function wrap(text: string, width: number): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out.join('\n');
}

export default command;
