import { describe, expect, it } from 'vitest';
import { flowFiles, reportTime, reportTitle } from './collect.js';

describe('reportTime', () => {
  const now = Date.parse('2026-11-28T10:00:00.000Z');
  it('takes --generated-at (ISO or epoch seconds) first, then SOURCE_DATE_EPOCH, then now', () => {
    expect(reportTime({ 'generated-at': '2026-11-28T09:00:00Z' }, { SOURCE_DATE_EPOCH: '0' }, now)).toBe('2026-11-28T09:00:00.000Z');
    expect(reportTime({ 'generated-at': '1795856400' }, {}, now)).toBe('2026-11-28T09:00:00.000Z');
    expect(reportTime({}, { SOURCE_DATE_EPOCH: '1795856400' }, now)).toBe('2026-11-28T09:00:00.000Z');
    expect(reportTime({}, { SOURCE_DATE_EPOCH: '' }, now)).toBe('2026-11-28T10:00:00.000Z');
    expect(reportTime({}, {}, now)).toBe('2026-11-28T10:00:00.000Z');
  });
  it('refuses what is not a time', () => {
    expect(() => reportTime({ 'generated-at': 'soon' }, {}, now)).toThrow(/--generated-at/);
    expect(() => reportTime({}, { SOURCE_DATE_EPOCH: '-5' }, now)).toThrow(/SOURCE_DATE_EPOCH/);
    expect(() => reportTime({}, { SOURCE_DATE_EPOCH: '1e9' }, now)).toThrow(/SOURCE_DATE_EPOCH/);
  });
});

describe('flowFiles and reportTitle', () => {
  it('takes one or repeated --flows, never stdin', () => {
    expect(flowFiles({})).toEqual([]);
    expect(flowFiles({ flows: 'a.ndjson' })).toEqual(['a.ndjson']);
    expect(flowFiles({ flows: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(() => flowFiles({ flows: '-' })).toThrow(/--flows/);
  });
  it('has a default title', () => {
    expect(reportTitle({})).toBe('Network incident report');
    expect(reportTitle({ title: 'Case 42' })).toBe('Case 42');
  });
});
