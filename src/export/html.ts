// `fir export --format html`: one self-contained HTML report of the events (and the flows given
// with them or with --flows FILE). Holds the input: the page orders and cross-links all of it.
import { sourceName } from '../io.js';
import { VERSION } from '../version.js';
import { collect, flowFiles, reportTime, reportTitle } from './html/collect.js';
import { renderReport } from './html/report.js';
import type { ExportWriter } from './types.js';

const writer: ExportWriter = {
  output: 'stream',
  async run(records, opts, ctx) {
    const generatedAt = reportTime(opts.args, process.env);
    const files = flowFiles(opts.args);
    const c = await collect(records, files, ctx);
    const html = renderReport({
      events: c.events.map((h) => h.rec),
      flows: c.flows.map((h) => h.rec),
      others: c.others.length,
      generatedAt,
      title: reportTitle(opts.args),
      sources: [...ctx.sources.map(sourceName), ...files],
      version: VERSION,
    });
    const p = ctx.out.text(html);
    if (p) await p;
    return 0;
  },
};

export default writer;
