/**
 * @antiphase/intelligence — noise intelligence: the noise-type classifier (features, compact MLP, procedural
 * training-data generator, trainer, metrics) and the streaming EmergencySoundDetector for the emergency bypass.
 * Everything exported here is pure TypeScript with no I/O: it runs in Node, browsers and edge runtimes. File I/O
 * and the training pipeline live in '@antiphase/intelligence/node'.
 */
export { NOISE_CLASSES, SAFETY_CLASSES, SILENCE_LABEL, CLASS_DESCRIPTIONS, isNoiseClass, isSafetyClass, type NoiseClass } from './taxonomy.js';
export {
  FeatureExtractor, FEATURE_NAMES, FEATURE_COUNT, FEATURE_SAMPLE_RATE, FRAME_SIZE, HOP_SIZE, MEL_BANDS, WINDOW_FRAMES,
  WINDOW_HOP_FRAMES, MIN_FRAMES, type FrameAnalysis,
} from './features.js';
export { NoiseModel, parseModel, ModelError, softmax, featureSpec, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelJson, type DenseLayerJson } from './model.js';
export {
  NoiseClassifier, ClassifierInputError, MIN_DURATION_S, SILENCE_RMS_DBFS, LOW_CONFIDENCE, BYPASS_CONFIDENCE, BYPASS_WINDOW_S, type Classification, type ClassProbability,
} from './classify.js';
export { trainMlp, TRAIN_DEFAULTS, type TrainOptions } from './trainer.js';
export { evaluatePredictions, formatReport, type EvaluationReport, type EvaluateOptions } from './evaluate.js';
export { generateExample, generateDataset, exampleSeed, GENERATOR_SAMPLE_RATE, type GeneratedExample, type GeneratorOptions } from './generator/generate.js';
export { SOURCES, SIREN_KINDS, siren, type SirenKind } from './generator/sources.js';
export { EmergencySoundDetector, DETECTOR_DEFAULTS, type EmergencyEvent, type EmergencyKind, type EmergencyDetectorOptions } from './detector.js';
export {
  HybridController, trainPresetBank, presetBankToJson, presetBankFromJson, sfancBands, bandLimitedNoise,
  type ControlPreset, type PresetBank, type PresetTrainingOptions, type HybridOptions, type HybridState,
} from './presets.js';
