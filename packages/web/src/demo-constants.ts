/** Constants the demo page and its AudioWorklet share (this module has no imports, so the worklet bundle stays small). */
export const SAMPLE_RATE = 48000;
/** AudioWorklet render quantum, samples. */
export const QUANTUM = 128;
/** FxNLMS control filter length in local mode. */
export const TAPS = 256;
/** Seconds of audio each demo run covers. */
export const DURATION_S = 8;
export const PROCESSOR_NAME = 'antiphase-anc';
