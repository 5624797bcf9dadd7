/** Node-only parts of @antiphase/intelligence (file I/O, training pipeline): import '@antiphase/intelligence/node'. */
export { loadDataset, parseManifest, readClip, DatasetError, type Dataset, type LabelledFile } from './dataset.js';
export { loadModelFile, sha256Hex, SHIPPED_MODEL_PATH, SHIPPED_MODEL_CARD_PATH } from './model-file.js';
export { runTraining, runTrainingInWorkers, evaluateFolder, writeTrainingOutputs, MODEL_FILE_NAME, MODEL_CARD_FILE_NAME, TRAINING_DEFAULTS, TEST_SEED_OFFSET, type TrainingRun, type TrainingResult, type FolderEvaluation } from './train.js';
export { generateFeatures, runFeatureJob, type GeneratedFeatures, type GenerateFeaturesOptions, type FeatureJob } from './generate-features.js';
