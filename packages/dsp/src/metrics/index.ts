/** Measures of an ANC run: noise reduction, convergence, octave bands, THD, SNR, levels and causality margin. */
export {
  noiseReductionDb,
  perSecondNoiseReductionDb,
  steadyStateNrDb,
  convergenceTimeS,
  type ConvergenceOptions,
} from './noise-reduction.js';
export { rmsDbfs, signalToNoiseRatioDb } from './level.js';
export { alignedCorrelation, circularAlignedCorrelation, type AlignedCorrelation } from './correlation.js';
export { octaveBandAttenuation, octaveBandAttenuationFromSpectra, octaveBands, OCTAVE_NOMINAL_CENTRES_HZ, type OctaveBandResult } from './octave-bands.js';
export { totalHarmonicDistortion, thdDb } from './thd.js';
export { pathDelaySamples, causalityMarginSamples, causalityMarginMs } from './causality.js';
