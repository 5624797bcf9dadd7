/**
 * The noise taxonomy of the classifier. The order of NOISE_CLASSES is the order of the model's outputs; a model
 * file carries its own class list, so a user-trained model may differ, but the shipped one uses exactly this.
 *
 * `alarm` (smoke / fire alarms, bells, T3/T4 beep patterns) and `siren` (emergency vehicles: wail, yelp, hi-lo)
 * are the safety classes: the session engine must never cancel them (emergency bypass).
 */
export const NOISE_CLASSES = [
  'traffic',
  'aircraft',
  'engine',
  'construction',
  'hvac',
  'babble',
  'office',
  'household',
  'alarm',
  'siren',
] as const;

export type NoiseClass = (typeof NOISE_CLASSES)[number];

/** Classes that trigger the emergency bypass. */
export const SAFETY_CLASSES: readonly NoiseClass[] = ['alarm', 'siren'];

/** What `classify` answers for a clip with no usable signal (see SILENCE_RMS_DBFS in classify.ts). */
export const SILENCE_LABEL = 'silence';

export const CLASS_DESCRIPTIONS: Record<NoiseClass, string> = {
  traffic: 'road traffic and street noise: pass-bys, tyres, distant traffic',
  aircraft: 'jets, propeller aircraft, helicopters, cabin noise',
  engine: 'combustion engines and vehicle interiors: idling, revving, motorbikes',
  construction: 'drills, jackhammers, compressors, hammering, saws, factory machinery',
  hvac: 'fans, ducts and air conditioners: hum plus steady broadband noise',
  babble: 'multi-talker babble, crowds, children playing',
  office: 'keyboard typing',
  household: 'appliances: vacuum cleaner, dishwasher, washing machine, running water, dishes',
  alarm: 'SAFETY: smoke and fire alarms (beeps, T3/T4 patterns, bells)',
  siren: 'SAFETY: emergency-vehicle sirens (wail, yelp, hi-lo), with Doppler',
};

export function isNoiseClass(label: string): label is NoiseClass {
  return (NOISE_CLASSES as readonly string[]).includes(label);
}

export function isSafetyClass(label: string): boolean {
  return label === 'alarm' || label === 'siren';
}
