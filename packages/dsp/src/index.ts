/**
 * @antiphase/dsp — the DSP core. No runtime dependencies; runs in Node, browsers (AudioWorklet) and edge runtimes.
 */
export type { Controller, ControllerAlgorithm, ControllerHealth, ControllerOptions, KernelName } from './controller.js';
export { CONTROLLER_ALGORITHMS } from './controller.js';
export {
  createController, isControllerAlgorithm, FilteredXLms, FilteredXRls, FrequencyDomainFxlms, PartitionedBlockFxlms,
  FXLMS_DEFAULTS, FXNLMS_DEFAULTS, FXRLS_DEFAULTS, defaultFxnlmsStepSize,
} from './controllers/index.js';
export type { AdaptiveFilter, FilterAlgorithm } from './filter.js';
export { Lms, Nlms, lmsStabilityBound, type LmsOptions } from './filters/lms.js';
export { Rls, type RlsOptions } from './filters/rls.js';
export { BlockLms, type BlockLmsOptions } from './filters/block-lms.js';
export { PartitionedBlockFilter, type PartitionedBlockFilterOptions } from './filters/partitioned-block.js';
export { DEFAULT_OUTPUT_LIMIT } from './guard.js';
export { SnapshotError, SnapshotReader, SnapshotWriter, SNAPSHOT_VERSION } from './snapshot.js';
export { FirFilter, convolve } from './fir.js';
export { RealFft } from './fft.js';
export { Random } from './random.js';
export {
  identifySecondaryPathOffline, OnlineSecondaryPathModel,
  type OfflineIdentificationOptions, type OnlineIdentificationOptions, type SecondaryPathEstimate,
} from './identification/secondary-path.js';
export { JointIdentifier, type JointIdentifierOptions } from './identification/joint.js';
export { SecondaryPathModel, type SecondaryPathModelOptions } from './path-model.js';
export { AcousticPlant, type PlantOptions } from './simulator/plant.js';
export { parsePath, PathError, type AcousticPath, type ParsePathOptions } from './simulator/paths.js';
export { generateScene, describeScene, isSceneName, chirp, SCENE_NAMES, type SceneName, type SceneOptions } from './simulator/scenes.js';
export { simulate, type SimulationOptions, type SimulationResult } from './simulator/simulate.js';
export * from './metrics/index.js';
export * from './io/index.js';
