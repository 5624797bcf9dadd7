/**
 * The classifier model: a small multilayer perceptron over standardised clip features (features.ts), stored as one
 * JSON document. Inference is plain TypeScript (no dependencies, no I/O): parse the JSON with parseModel(), then
 * NoiseModel.predict(features) returns class probabilities (softmax).
 *
 * File format (MODEL_FORMAT, version 1):
 *   { format, formatVersion, version, createdAt, classes[], safetyClasses[],
 *     features: { names[], sampleRate, frameSize, hopSize, melBands, windowFrames, windowHopFrames },
 *     normalisation: { mean[], std[] },            // x' = (x − mean) / std, per feature
 *     layers: [{ inputs, outputs, activation: 'relu' | 'softmax', weights[outputs·inputs] (row-major), bias[] }],
 *     training: { … }                               // provenance: seed, example counts, metrics (model card)
 *   }
 * The model card records the file's sha256, so the shipped model is pinned (see model/MODEL_CARD.md).
 */
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_SAMPLE_RATE, FRAME_SIZE, HOP_SIZE, MEL_BANDS, WINDOW_FRAMES, WINDOW_HOP_FRAMES } from './features.js';

export const MODEL_FORMAT = 'antiphase-noise-classifier';
export const MODEL_FORMAT_VERSION = 1;

export type Activation = 'relu' | 'softmax';

export interface DenseLayerJson {
  inputs: number;
  outputs: number;
  activation: Activation;
  weights: number[];
  bias: number[];
}

export interface ModelJson {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  /** Model version (semver of the trained artefact). */
  version: string;
  createdAt?: string;
  classes: string[];
  safetyClasses: string[];
  features: {
    names: string[];
    sampleRate: number;
    frameSize: number;
    hopSize: number;
    melBands: number;
    windowFrames: number;
    windowHopFrames: number;
  };
  normalisation: { mean: number[]; std: number[] };
  layers: DenseLayerJson[];
  training?: Record<string, unknown>;
}

export class ModelError extends Error {
  override readonly name = 'ModelError';
}

/** The feature block every model of this format must declare: features.ts defines it. */
export function featureSpec(): ModelJson['features'] {
  return {
    names: [...FEATURE_NAMES],
    sampleRate: FEATURE_SAMPLE_RATE,
    frameSize: FRAME_SIZE,
    hopSize: HOP_SIZE,
    melBands: MEL_BANDS,
    windowFrames: WINDOW_FRAMES,
    windowHopFrames: WINDOW_HOP_FRAMES,
  };
}

interface DenseLayer {
  inputs: number;
  outputs: number;
  activation: Activation;
  weights: Float32Array;
  bias: Float32Array;
}

export class NoiseModel {
  readonly classes: readonly string[];
  readonly safetyClasses: readonly string[];
  readonly version: string;
  readonly json: ModelJson;
  private readonly mean: Float32Array;
  private readonly invStd: Float32Array;
  private readonly layers: DenseLayer[];
  private readonly buffers: Float32Array[];

  constructor(json: ModelJson) {
    this.json = json;
    this.classes = json.classes;
    this.safetyClasses = json.safetyClasses;
    this.version = json.version;
    this.mean = Float32Array.from(json.normalisation.mean);
    this.invStd = Float32Array.from(json.normalisation.std, (s) => 1 / (s > 1e-9 ? s : 1));
    this.layers = json.layers.map((l) => ({ ...l, weights: Float32Array.from(l.weights), bias: Float32Array.from(l.bias) }));
    this.buffers = [new Float32Array(FEATURE_COUNT), ...this.layers.map((l) => new Float32Array(l.outputs))];
  }

  /** Class probabilities (softmax, in `classes` order) of one feature vector. */
  predict(features: ArrayLike<number>): Float64Array {
    const x = this.buffers[0];
    for (let i = 0; i < FEATURE_COUNT; i++) x[i] = (features[i] - this.mean[i]) * this.invStd[i];
    let input = x;
    this.layers.forEach((layer, li) => {
      const out = this.buffers[li + 1];
      const { inputs, outputs, weights, bias } = layer;
      for (let o = 0; o < outputs; o++) {
        let acc = bias[o];
        const row = o * inputs;
        for (let i = 0; i < inputs; i++) acc += weights[row + i] * input[i];
        out[o] = layer.activation === 'relu' && acc < 0 ? 0 : acc;
      }
      input = out;
    });
    return softmax(input);
  }
}

export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** Validates a parsed model document and builds the model; every defect is a ModelError naming the field. */
export function parseModel(json: unknown): NoiseModel {
  const m = json as Partial<ModelJson> | null;
  if (m === null || typeof m !== 'object') throw new ModelError('model is not a JSON object');
  if (m.format !== MODEL_FORMAT) throw new ModelError(`not a noise-classifier model (format '${String(m.format)}', expected '${MODEL_FORMAT}')`);
  if (m.formatVersion !== MODEL_FORMAT_VERSION) throw new ModelError(`unsupported model formatVersion ${String(m.formatVersion)} (this build reads ${MODEL_FORMAT_VERSION})`);
  if (!Array.isArray(m.classes) || m.classes.length < 2 || !m.classes.every((c) => typeof c === 'string')) throw new ModelError('model.classes must list at least 2 class names');
  if (!Array.isArray(m.safetyClasses)) throw new ModelError('model.safetyClasses must be an array');
  const spec = featureSpec();
  const f = m.features;
  if (!f || f.sampleRate !== spec.sampleRate || f.frameSize !== spec.frameSize || f.hopSize !== spec.hopSize || f.melBands !== spec.melBands ||
    !Array.isArray(f.names) || f.names.length !== FEATURE_COUNT || f.names.some((n, i) => n !== spec.names[i])) {
    throw new ModelError('model was trained on a different feature set than this build computes (features block differs)');
  }
  const norm = m.normalisation;
  if (!norm || !isNumbers(norm.mean, FEATURE_COUNT) || !isNumbers(norm.std, FEATURE_COUNT)) throw new ModelError(`model.normalisation needs mean and std of ${FEATURE_COUNT} numbers`);
  if (!Array.isArray(m.layers) || m.layers.length === 0) throw new ModelError('model.layers is empty');
  let width = FEATURE_COUNT;
  m.layers.forEach((l, i) => {
    if (l.inputs !== width) throw new ModelError(`layer ${i} takes ${l.inputs} inputs, previous width is ${width}`);
    if (!Number.isInteger(l.outputs) || l.outputs < 1) throw new ModelError(`layer ${i} has a bad output count`);
    if (l.activation !== 'relu' && l.activation !== 'softmax') throw new ModelError(`layer ${i} has unknown activation '${String(l.activation)}'`);
    if (!isNumbers(l.weights, l.inputs * l.outputs) || !isNumbers(l.bias, l.outputs)) throw new ModelError(`layer ${i} weights/bias have the wrong size or non-finite values`);
    width = l.outputs;
  });
  if (width !== m.classes.length) throw new ModelError(`last layer has ${width} outputs for ${m.classes.length} classes`);
  if (m.layers[m.layers.length - 1].activation !== 'softmax') throw new ModelError('last layer must be softmax');
  return new NoiseModel(m as ModelJson);
}

function isNumbers(value: unknown, length: number): value is number[] {
  return Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}
