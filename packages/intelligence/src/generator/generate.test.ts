import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOISE_CLASSES } from '../taxonomy.js';
import { exampleSeed, generateExample } from './generate.js';

test('the generator is reproducible: the same class and seed give bit-identical samples', () => {
  for (const label of NOISE_CLASSES) {
    const a = generateExample(label, 42);
    const b = generateExample(label, 42);
    assert.deepEqual(a.samples, b.samples, label);
    assert.notDeepEqual(a.samples, generateExample(label, 43).samples, label);
  }
});

test('every class yields 1–5 s of finite 16-bit audio at −60…−6 dBFS (clipped examples aside)', () => {
  for (const label of NOISE_CLASSES) {
    for (let seed = 0; seed < 4; seed++) {
      const ex = generateExample(label, exampleSeed(7, NOISE_CLASSES.indexOf(label), seed));
      const n = ex.samples.length;
      assert.ok(n >= 16000 && n <= 80000, `${label}: ${n} samples`);
      let e = 0;
      for (const v of ex.samples) {
        assert.ok(Number.isFinite(v) && Math.abs(v) <= 1, label);
        assert.ok(Math.abs(Math.round(v * 32767) - v * 32767) < 1e-3, `${label}: not 16-bit`);
        e += v * v;
      }
      const db = 10 * Math.log10(e / n);
      if (!ex.info.clipped) assert.ok(db > -61 && db < -6, `${label}: ${db.toFixed(1)} dBFS`);
    }
  }
});

test('example seeds differ between classes, indices and data-set seeds', () => {
  const seen = new Set<number>();
  for (const s of [1, 2]) for (let c = 0; c < 10; c++) for (let i = 0; i < 50; i++) seen.add(exampleSeed(s, c, i));
  assert.equal(seen.size, 1000);
});
