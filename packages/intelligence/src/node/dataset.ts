/**
 * Node-only: labelled audio folders for training and evaluation. A data folder holds either a `manifest.csv`
 * (header with `file` and `label` columns; `file` relative to the folder, like ../shared/data/noise-labelled) or
 * one sub-folder per class (`DIR/<class>/*.wav`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readWav, resample, toMono, WavError } from '@antiphase/dsp';
import { FEATURE_SAMPLE_RATE } from '../features.js';

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
}

export interface LabelledFile {
  /** Path relative to the data folder. */
  file: string;
  label: string;
}

export interface Dataset {
  dir: string;
  source: 'manifest.csv' | 'folders';
  items: LabelledFile[];
}

export function loadDataset(dir: string): Dataset {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new DatasetError(`data folder '${dir}' does not exist`);
  }
  if (!stat.isDirectory()) throw new DatasetError(`data folder '${dir}' is not a directory`);
  const manifest = join(dir, 'manifest.csv');
  let items: LabelledFile[];
  let source: Dataset['source'];
  if (isFile(manifest)) {
    items = parseManifest(readFileSync(manifest, 'utf8'), manifest);
    source = 'manifest.csv';
  } else {
    items = [];
    for (const label of readdirSync(dir).sort()) {
      const sub = join(dir, label);
      if (label.startsWith('.') || !statSync(sub).isDirectory()) continue;
      for (const name of readdirSync(sub).sort()) {
        if (name.toLowerCase().endsWith('.wav')) items.push({ file: join(label, name), label });
      }
    }
    source = 'folders';
  }
  if (items.length === 0) throw new DatasetError(`data folder '${dir}' holds no labelled clips (expected manifest.csv or <class>/*.wav folders)`);
  return { dir, source, items };
}

/** Parses a CSV with a header naming `file` and `label` columns (RFC 4180 quoting). */
export function parseManifest(text: string, name = 'manifest.csv'): LabelledFile[] {
  const rows = parseCsv(text).filter((r) => r.length > 1 || (r.length === 1 && r[0] !== ''));
  if (rows.length === 0) throw new DatasetError(`${name} is empty`);
  const header = rows[0].map((h) => h.trim().toLowerCase());
  const fileCol = header.indexOf('file');
  const labelCol = header.indexOf('label');
  if (fileCol < 0 || labelCol < 0) throw new DatasetError(`${name} needs a header with 'file' and 'label' columns, got: ${rows[0].join(',')}`);
  return rows.slice(1).map((r, i) => {
    const file = r[fileCol]?.trim();
    const label = r[labelCol]?.trim();
    if (!file || !label) throw new DatasetError(`${name} line ${i + 2}: missing file or label`);
    return { file, label };
  });
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Reads a WAV file as 16 kHz mono; a DatasetError names the file and the defect. */
export function readClip(path: string): Float32Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new DatasetError(`cannot read '${path}': ${(error as Error).message}`);
  }
  try {
    const audio = readWav(bytes);
    const mono = toMono(audio);
    return audio.sampleRate === FEATURE_SAMPLE_RATE ? mono : resample(mono, audio.sampleRate, FEATURE_SAMPLE_RATE);
  } catch (error) {
    if (error instanceof WavError) throw new DatasetError(`'${path}' is not a usable WAV file: ${error.message}`);
    throw error;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
