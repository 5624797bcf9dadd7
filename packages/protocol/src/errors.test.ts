import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCode, ErrorDescription, ProtocolError, errorCodeName, type ErrorCodeName } from './errors.js';

const PROTOCOL_DOC = new URL('../../../docs/protocol.md', import.meta.url);

/** The rows of the table between the error-codes markers: code, name, when. */
function documentedCodes(): { code: number; name: string; when: string }[] {
  const doc = readFileSync(PROTOCOL_DOC, 'utf8');
  const start = doc.indexOf('<!-- error-codes:start -->');
  const end = doc.indexOf('<!-- error-codes:end -->');
  assert.ok(start >= 0 && end > start, 'docs/protocol.md has the error-codes markers in order');
  const rows = doc
    .slice(start, end)
    .split('\n')
    .filter((line) => /^\|\s*\d+\s*\|/.test(line));
  return rows.map((line) => {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 3, `row has code | name | when: ${line}`);
    return { code: Number(cells[0]), name: cells[1].replace(/`/g, ''), when: cells[2] };
  });
}

test('docs/protocol.md lists exactly the codes and names of ErrorCode', () => {
  const documented = documentedCodes().map(({ code, name }) => [code, name]);
  const catalogue = Object.entries(ErrorCode).map(([name, code]) => [code, name]);
  assert.deepEqual(documented, catalogue);
});

test('each ErrorDescription is the "when" column of docs/protocol.md', () => {
  for (const { name, when } of documentedCodes()) {
    assert.equal(ErrorDescription[name as ErrorCodeName], when, name);
  }
  assert.deepEqual(Object.keys(ErrorDescription), Object.keys(ErrorCode));
});

test('codes are unique, positive and fit the uint16 code field of an error frame', () => {
  const codes = Object.values(ErrorCode);
  assert.equal(new Set(codes).size, codes.length);
  for (const code of codes) assert.ok(Number.isInteger(code) && code >= 1 && code <= 0xffff);
});

test('errorCodeName maps every code back to its name and unknown codes to undefined', () => {
  for (const [name, code] of Object.entries(ErrorCode)) assert.equal(errorCodeName(code), name);
  assert.equal(errorCodeName(0), undefined);
  assert.equal(errorCodeName(999), undefined);
});

test('ProtocolError carries the numeric code, its name and sample details', () => {
  const err = new ProtocolError('INVALID_AUDIO', 'bad sample', { channel: 1, sampleIndex: 7 });
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'ProtocolError');
  assert.equal(err.code, ErrorCode.INVALID_AUDIO);
  assert.equal(err.codeName, 'INVALID_AUDIO');
  assert.equal(err.channel, 1);
  assert.equal(err.sampleIndex, 7);
  assert.equal(err.message, 'bad sample');
});
