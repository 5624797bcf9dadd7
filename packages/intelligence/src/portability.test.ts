import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

test('inference code imports no node: module (only node/, train-cli.ts and tests may)', () => {
  const offenders = files(SRC)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes(`${join(SRC, 'node')}`) && !f.endsWith('train-cli.ts'))
    .filter((f) => /from ['"]node:/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
