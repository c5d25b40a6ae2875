// --format json: one JSON array of the records, streamed (one element per line, so memory
// stays bounded and the output is still diff-friendly). Each element is the input record's
// own text, re-serialised so stray whitespace and duplicate keys do not pass through.
import type { ExportWriter } from './types.js';

const writer: ExportWriter = {
  output: 'stream',
  async run(records, _opts, ctx) {
    const out = ctx.out;
    let first = true;
    for await (const batch of records) {
      for (const r of batch) {
        const text = JSON.stringify(r.rec);
        const p = first ? out.line('[' + text) : out.line(',' + text);
        first = false;
        if (p) await p;
      }
      if (ctx.signal.aborted) break;
    }
    const p = out.line(first ? '[]' : ']');
    if (p) await p;
    return 0;
  },
};

export default writer;
