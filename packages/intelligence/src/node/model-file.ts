/** Node-only: reading model files and pinning them by sha256. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ModelError, parseModel, type NoiseModel } from '../model.js';

/** The shipped model, trained by `npm run train:classifier` (see model/MODEL_CARD.md for its hash). */
export const SHIPPED_MODEL_PATH = fileURLToPath(new URL('../../model/noise-classifier.json', import.meta.url));
export const SHIPPED_MODEL_CARD_PATH = fileURLToPath(new URL('../../model/MODEL_CARD.md', import.meta.url));

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Loads and validates a model file; every defect is a ModelError naming the file. */
export function loadModelFile(path: string = SHIPPED_MODEL_PATH): NoiseModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelError(`cannot read model '${path}'${code === 'ENOENT' ? ': no such file (train one with npm run train:classifier)' : `: ${(error as Error).message}`}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelError(`model '${path}' is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseModel(json);
  } catch (error) {
    if (error instanceof ModelError) throw new ModelError(`model '${path}': ${error.message}`);
    throw error;
  }
}
