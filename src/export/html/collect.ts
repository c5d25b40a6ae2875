// What the html and evidence writers share: holding the input (events, flows, the rest) with
// the --flows files, and the flags they both read. Both must hold everything: the report
// orders and cross-links the whole set, the archive hashes it.
import { UsageError } from '../../errors.js';
import { readRecords, type InputRecord } from '../../io.js';
import { timeMs } from '../../record.js';
import type { ExportContext } from '../types.js';

export type Held = InputRecord<Record<string, any>>;

export interface Collected {
  /** events with a valid start time, in input order */
  events: Held[];
  /** flows of the input and of the --flows files, in that order */
  flows: Held[];
  /** records that are neither events nor flows */
  others: Held[];
}

/** The --flows files (the flag may be repeated); stdin is the main input, never a --flows file. */
export function flowFiles(args: Record<string, unknown>): string[] {
  const v = args.flows;
  const list = v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String);
  for (const f of list) if (f === '-' || f === '') throw new UsageError('--flows: name a flow file (stdin is the main input: send events and flows there together)');
  return list;
}

/**
 * The generation (creation) time: --generated-at (ISO 8601, or seconds since the epoch), else
 * SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/), else now.
 */
export function reportTime(args: Record<string, unknown>, env: NodeJS.ProcessEnv, now = Date.now()): string {
  const flag = args['generated-at'];
  if (flag !== undefined) {
    const s = String(flag);
    const ms = /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s);
    if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799000) throw new UsageError(`--generated-at: not an ISO 8601 time or seconds since the epoch: ${s}`);
    return new Date(ms).toISOString();
  }
  const sde = env.SOURCE_DATE_EPOCH;
  if (sde !== undefined && sde !== '') {
    if (!/^\d+$/.test(sde) || Number(sde) > 253402300799) throw new UsageError(`SOURCE_DATE_EPOCH is not a number of seconds: ${sde}`);
    return new Date(Number(sde) * 1000).toISOString();
  }
  return new Date(now).toISOString();
}

export function reportTitle(args: Record<string, unknown>): string {
  return typeof args.title === 'string' && args.title.trim() ? args.title : 'Network incident report';
}

/** Hold every record of the input and of the --flows files. */
export async function collect(records: AsyncIterable<Held[]>, files: string[], ctx: ExportContext): Promise<Collected> {
  const out: Collected = { events: [], flows: [], others: [] };
  const take = (batch: Held[], fromFlowFile: boolean) => {
    for (const r of batch) {
      const kind = r.rec.kind;
      if (kind === 'flow') out.flows.push(r);
      else if (kind === 'event' && !fromFlowFile) {
        if (Number.isNaN(timeMs(r.rec.start))) ctx.diag.skip(r.source, r.line, 'event without a valid start time: left out');
        else out.events.push(r);
      } else if (fromFlowFile) ctx.diag.skip(r.source, r.line, `a ${typeof kind === 'string' ? kind : 'record without kind'} in a --flows file: left out`);
      else out.others.push(r);
    }
  };
  for await (const batch of records) {
    take(batch, false);
    if (ctx.signal.aborted) return out;
  }
  if (files.length) for await (const batch of readRecords<Record<string, any>>(files, { diag: ctx.diag })) take(batch, true);
  return out;
}
