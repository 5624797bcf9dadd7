/**
 * Trainer of the classifier MLP: pure TypeScript, deterministic for a seed (seeded Random for the initialisation,
 * shuffling and input noise; plain float64 arithmetic in a fixed order).
 *
 * Network: standardised features → dense ReLU layers (`hidden`) → dense softmax. Loss: cross-entropy with label
 * smoothing ε (Szegedy et al. 2016), optimiser AdamW (Loshchilov & Hutter 2019: Adam with decoupled weight decay),
 * mini-batches, step size on a cosine schedule (Loshchilov & Hutter 2017, SGDR without restarts). Regularisation:
 * Gaussian noise on the standardised inputs (σ = inputNoise), inverted dropout on the hidden activations (rate
 * `dropout`, Srivastava et al. 2014; inference needs no scaling), weight decay. He initialisation (He et al. 2015).
 */
import { Random } from '@antiphase/dsp';
import { FEATURE_COUNT } from './features.js';
import { featureSpec, MODEL_FORMAT, MODEL_FORMAT_VERSION, type DenseLayerJson, type ModelJson } from './model.js';
import { SAFETY_CLASSES } from './taxonomy.js';

export interface TrainOptions {
  /** Hidden layer widths (default [96, 48]). */
  hidden?: number[];
  /** Passes over the data (default 60). */
  epochs?: number;
  /** Mini-batch size (default 64). */
  batchSize?: number;
  /** Peak AdamW step size (default 2e-3). */
  learningRate?: number;
  /** Decoupled weight decay per step, relative (default 1e-3). */
  weightDecay?: number;
  /** Label smoothing ε (default 0.05). */
  labelSmoothing?: number;
  /** σ of Gaussian noise on standardised inputs (default 0.3). */
  inputNoise?: number;
  /** Dropout rate of the hidden activations during training (default 0: none). */
  dropout?: number;
  /**
   * Loss weight of the safety classes' examples (alarm, siren) relative to the others (default 1): > 1 makes a
   * missed emergency sound cost more than a false bypass (cost-sensitive training).
   */
  safetyWeight?: number;
  /**
   * Number of independently initialised MLPs (seeds seed, seed + 1, …) trained on the same data and merged into
   * one wider MLP whose output is their mean logit (default 1). Ensembling reduces the seed-to-seed variance of the
   * decisions; the merged network is an ordinary model file (block-diagonal hidden layers, stored dense).
   */
  ensemble?: number;
  seed?: number;
  /** Called after each epoch with the mean training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

export const TRAIN_DEFAULTS = {
  hidden: [96, 48],
  epochs: 60,
  batchSize: 64,
  learningRate: 2e-3,
  weightDecay: 1e-3,
  labelSmoothing: 0.05,
  inputNoise: 0.3,
  dropout: 0,
  safetyWeight: 1,
  ensemble: 1,
  seed: 1,
} as const;

interface Layer {
  inputs: number;
  outputs: number;
  relu: boolean;
  w: Float64Array;
  b: Float64Array;
  gw: Float64Array;
  gb: Float64Array;
  mw: Float64Array;
  vw: Float64Array;
  mb: Float64Array;
  vb: Float64Array;
}

/**
 * Trains on feature vectors `x` (each FEATURE_COUNT long) with integer labels `y` (indices into `classes`).
 * Returns the model document (without `version`/`training`, which the caller fills in).
 */
export function trainMlp(x: Float32Array[], y: number[], classes: readonly string[], options: TrainOptions = {}): ModelJson {
  const members = options.ensemble ?? TRAIN_DEFAULTS.ensemble;
  if (!(Number.isInteger(members) && members >= 1)) throw new RangeError(`ensemble must be a whole number ≥ 1, got ${members}`);
  if (members === 1) return trainOne(x, y, classes, options);
  const seed = options.seed ?? TRAIN_DEFAULTS.seed;
  const models = Array.from({ length: members }, (_, m) => trainOne(x, y, classes, {
    ...options,
    seed: seed + m,
    onEpoch: options.onEpoch ? (epoch, loss) => options.onEpoch!(m * (options.epochs ?? TRAIN_DEFAULTS.epochs) + epoch, loss) : undefined,
  }));
  return mergeEnsemble(models);
}

/**
 * One MLP whose hidden layers are the members' side by side (block-diagonal weights) and whose output logits are
 * the mean of the members' logits. Every member shares the input standardisation (same data).
 */
export function mergeEnsemble(models: ModelJson[]): ModelJson {
  const first = models[0];
  const K = models.length;
  const layers: DenseLayerJson[] = first.layers.map((layer, l) => {
    const last = l === first.layers.length - 1;
    const inputs = l === 0 ? layer.inputs : K * layer.inputs;
    const outputs = last ? layer.outputs : K * layer.outputs;
    const weights = new Array<number>(inputs * outputs).fill(0);
    const bias = new Array<number>(outputs).fill(0);
    models.forEach((m, k) => {
      const src = m.layers[l];
      for (let j = 0; j < src.outputs; j++) {
        const row = last ? j : k * src.outputs + j;
        const col0 = l === 0 ? 0 : k * src.inputs;
        for (let i = 0; i < src.inputs; i++) weights[row * inputs + col0 + i] += last ? src.weights[j * src.inputs + i] / K : src.weights[j * src.inputs + i];
        bias[row] += last ? src.bias[j] / K : src.bias[j];
      }
    });
    return { inputs, outputs, activation: layer.activation, weights: weights.map(round), bias: bias.map(round) };
  });
  return { ...first, layers };
}

function trainOne(x: Float32Array[], y: number[], classes: readonly string[], options: TrainOptions): ModelJson {
  if (x.length !== y.length || x.length === 0) throw new RangeError('need as many labels as feature vectors, and at least one');
  const hidden = options.hidden ?? [...TRAIN_DEFAULTS.hidden];
  const epochs = options.epochs ?? TRAIN_DEFAULTS.epochs;
  const batchSize = options.batchSize ?? TRAIN_DEFAULTS.batchSize;
  const lr0 = options.learningRate ?? TRAIN_DEFAULTS.learningRate;
  const decay = options.weightDecay ?? TRAIN_DEFAULTS.weightDecay;
  const eps = options.labelSmoothing ?? TRAIN_DEFAULTS.labelSmoothing;
  const noise = options.inputNoise ?? TRAIN_DEFAULTS.inputNoise;
  const dropout = options.dropout ?? TRAIN_DEFAULTS.dropout;
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${dropout}`);
  const safetyWeight = options.safetyWeight ?? TRAIN_DEFAULTS.safetyWeight;
  if (!(safetyWeight > 0 && Number.isFinite(safetyWeight))) throw new RangeError(`safetyWeight must be a positive number, got ${safetyWeight}`);
  const keepScale = 1 / (1 - dropout);
  const rng = new Random(options.seed ?? TRAIN_DEFAULTS.seed);
  const K = classes.length;
  const classWeight = classes.map((c) => ((SAFETY_CLASSES as readonly string[]).includes(c) ? safetyWeight : 1));
  const N = x.length;
  const D = FEATURE_COUNT;

  // Standardisation statistics.
  const mean = new Float64Array(D);
  const std = new Float64Array(D);
  for (const v of x) for (let i = 0; i < D; i++) mean[i] += v[i];
  for (let i = 0; i < D; i++) mean[i] /= N;
  for (const v of x) for (let i = 0; i < D; i++) std[i] += (v[i] - mean[i]) ** 2;
  for (let i = 0; i < D; i++) std[i] = Math.max(1e-6, Math.sqrt(std[i] / N));
  const xs = x.map((v) => {
    const z = new Float64Array(D);
    for (let i = 0; i < D; i++) z[i] = (v[i] - mean[i]) / std[i];
    return z;
  });

  const widths = [D, ...hidden, K];
  const layers: Layer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const inputs = widths[l];
    const outputs = widths[l + 1];
    const w = new Float64Array(inputs * outputs);
    const scale = Math.sqrt(2 / inputs);
    for (let i = 0; i < w.length; i++) w[i] = rng.gaussian() * scale;
    const size = inputs * outputs;
    layers.push({
      inputs, outputs, relu: l + 2 < widths.length, w, b: new Float64Array(outputs),
      gw: new Float64Array(size), gb: new Float64Array(outputs),
      mw: new Float64Array(size), vw: new Float64Array(size), mb: new Float64Array(outputs), vb: new Float64Array(outputs),
    });
  }
  const acts = widths.map((w) => new Float64Array(w));
  const deltas = widths.map((w) => new Float64Array(w));
  const order = Array.from({ length: N }, (_, i) => i);
  const stepsPerEpoch = Math.ceil(N / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const beta1 = 0.9, beta2 = 0.999, adamEps = 1e-8;
  let step = 0;

  for (let epoch = 0; epoch < epochs; epoch++) {
    // Fisher–Yates shuffle.
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    for (let start = 0; start < N; start += batchSize) {
      const end = Math.min(N, start + batchSize);
      for (const layer of layers) {
        layer.gw.fill(0);
        layer.gb.fill(0);
      }
      for (let s = start; s < end; s++) {
        const idx = order[s];
        const input = acts[0];
        const src = xs[idx];
        for (let i = 0; i < D; i++) input[i] = src[i] + (noise > 0 ? noise * rng.gaussian() : 0);
        // Forward.
        for (let l = 0; l < layers.length; l++) {
          const { inputs, outputs, w, b, relu } = layers[l];
          const a = acts[l];
          const o = acts[l + 1];
          for (let j = 0; j < outputs; j++) {
            let acc = b[j];
            const row = j * inputs;
            for (let i = 0; i < inputs; i++) acc += w[row + i] * a[i];
            o[j] = relu && acc < 0 ? 0 : acc;
          }
          // Inverted dropout: a dropped unit is 0 (so the ReLU mask below also stops its gradient).
          if (relu && dropout > 0) for (let j = 0; j < outputs; j++) o[j] = rng.next() < dropout ? 0 : o[j] * keepScale;
        }
        const logits = acts[layers.length];
        let max = -Infinity;
        for (let k = 0; k < K; k++) max = Math.max(max, logits[k]);
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.exp(logits[k] - max);
        const dOut = deltas[layers.length];
        const weight = classWeight[y[idx]];
        for (let k = 0; k < K; k++) {
          const p = Math.exp(logits[k] - max) / sum;
          const target = (k === y[idx] ? 1 - eps : 0) + eps / K;
          dOut[k] = weight * (p - target);
          if (target > 0) lossSum -= weight * target * Math.log(Math.max(p, 1e-12));
        }
        // Backward.
        for (let l = layers.length - 1; l >= 0; l--) {
          const { inputs, outputs, w, gw, gb } = layers[l];
          const a = acts[l];
          const d = deltas[l + 1];
          const dPrev = deltas[l];
          if (l > 0) dPrev.fill(0);
          for (let j = 0; j < outputs; j++) {
            const dj = d[j];
            if (dj === 0) continue;
            gb[j] += dj;
            const row = j * inputs;
            for (let i = 0; i < inputs; i++) {
              gw[row + i] += dj * a[i];
              if (l > 0) dPrev[i] += dj * w[row + i];
            }
          }
          // Through the ReLU (and the dropout mask and its 1/(1 − rate) scale) of the previous layer.
          if (l > 0) for (let i = 0; i < inputs; i++) dPrev[i] = acts[l][i] <= 0 ? 0 : dPrev[i] * keepScale;
        }
      }
      // AdamW update, cosine-decayed step.
      step++;
      const lr = lr0 * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
      const count = end - start;
      const c1 = 1 - Math.pow(beta1, step);
      const c2 = 1 - Math.pow(beta2, step);
      for (const layer of layers) {
        adam(layer.w, layer.gw, layer.mw, layer.vw, count, lr, c1, c2, decay);
        adam(layer.b, layer.gb, layer.mb, layer.vb, count, lr, c1, c2, 0);
      }
    }
    options.onEpoch?.(epoch + 1, lossSum / N);
  }

  const layersJson: DenseLayerJson[] = layers.map((l) => ({
    inputs: l.inputs,
    outputs: l.outputs,
    activation: l.relu ? 'relu' : 'softmax',
    weights: Array.from(l.w, round),
    bias: Array.from(l.b, round),
  }));
  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    version: '0.0.0',
    classes: [...classes],
    safetyClasses: classes.filter((c) => (SAFETY_CLASSES as readonly string[]).includes(c)),
    features: featureSpec(),
    normalisation: { mean: Array.from(mean, round), std: Array.from(std, round) },
    layers: layersJson,
  };

  function adam(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, count: number, lr: number, c1: number, c2: number, wd: number): void {
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] / count;
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      p[i] -= lr * ((m[i] / c1) / (Math.sqrt(v[i] / c2) + adamEps) + wd * p[i]);
    }
  }
}

/** 6 significant digits: keeps the JSON small; the effect on outputs is below 1e-5. */
function round(v: number): number {
  return Number(v.toPrecision(6));
}
