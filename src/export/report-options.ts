// The flags of the html and evidence formats and of --verify, declared once for the export
// command (kept apart so that the command does not load the writers to declare them).
import type { Options } from 'yargs';

export const reportOptions: Record<string, Options> = {
  flows: { type: 'string', describe: 'html, evidence: the flow file of the investigation (may be repeated): charts and related flows' },
  'all-flows': { type: 'boolean', describe: 'evidence: archive every flow given, not only the flows the events name' },
  force: { type: 'boolean', describe: 'evidence: replace a previous evidence folder at --out' },
  title: { type: 'string', describe: 'html: the report title' },
  'generated-at': { type: 'string', describe: 'html, evidence: the generation time written (ISO 8601 or epoch seconds; default $SOURCE_DATE_EPOCH, else now)' },
  verify: { type: 'string', describe: 'check the evidence folder DIR against its SHA256SUMS and manifest: exit 1 on any change' },
};

export const reportExamples: [string, string][] = [
  ['fir detect < flows.ndjson | fir enrich --flows flows.ndjson | fir export --format html --flows flows.ndjson > report.html', 'a self-contained HTML report with traffic charts'],
  ['fir detect < flows.ndjson | fir export --format evidence --flows flows.ndjson --out case-42', 'an evidence folder with SHA-256 sums and a manifest'],
  ['fir export --verify case-42', 'check that nothing in the evidence folder changed'],
];
