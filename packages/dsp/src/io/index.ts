/** Audio file I/O for the DSP core: RIFF/WAVE codec and band-limited sample-rate conversion. */
export { readWav, writeWav, toMono, WavError, type WavAudio, type WriteWavOptions, type WavErrorCode } from './wav.js';
export { resample, StreamResampler, type ResampleOptions } from './resample.js';
