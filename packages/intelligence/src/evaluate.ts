/**
 * Evaluation metrics of the classifier (pure): accuracy, macro recall, per-class recall, the safety figures that
 * matter for the emergency bypass, and the confusion matrix.
 *
 *  - safetyRecall: share of true alarm/siren clips predicted as alarm OR siren (either triggers the bypass).
 *  - falseBypassRate: share of non-safety clips predicted as alarm or siren.
 *  - Labels the model does not know (e.g. 'weather' in the DEV set) are excluded from every figure and counted
 *    in `excluded`.
 *  - coreAccuracy: accuracy over the classes with at least `coreMinClips` clips (the DEV set's thin classes make
 *    per-clip accuracy anecdotal).
 */
export interface EvaluationReport {
  clips: number;
  accuracy: number;
  macroRecall: number;
  perClassRecall: Record<string, number | null>;
  perClassCount: Record<string, number>;
  safetyRecall: number | null;
  falseBypassRate: number | null;
  coreAccuracy: { minClips: number; classes: string[]; clips: number; accuracy: number | null };
  /** Rows: true labels (model classes); columns: predicted labels (model classes, then any other answer e.g. 'silence'). */
  confusion: { labels: string[]; predicted: string[]; matrix: number[][] };
  excluded: Record<string, number>;
}

export interface EvaluateOptions {
  safetyClasses?: readonly string[];
  coreMinClips?: number;
}

export function evaluatePredictions(
  truth: readonly string[],
  predicted: readonly string[],
  classes: readonly string[],
  options: EvaluateOptions = {},
): EvaluationReport {
  if (truth.length !== predicted.length) throw new RangeError('truth and predictions differ in length');
  const safety = options.safetyClasses ?? ['alarm', 'siren'];
  const minClips = options.coreMinClips ?? 15;
  const excluded: Record<string, number> = {};
  const kept: [string, string][] = [];
  truth.forEach((t, i) => {
    if (classes.includes(t)) kept.push([t, predicted[i]]);
    else excluded[t] = (excluded[t] ?? 0) + 1;
  });
  const extra = [...new Set(kept.map(([, p]) => p).filter((p) => !classes.includes(p)))].sort();
  const columns = [...classes, ...extra];
  const matrix = classes.map(() => columns.map(() => 0));
  for (const [t, p] of kept) matrix[classes.indexOf(t)][columns.indexOf(p)]++;
  const perClassRecall: Record<string, number | null> = {};
  const perClassCount: Record<string, number> = {};
  const recalls: number[] = [];
  classes.forEach((c, i) => {
    const n = matrix[i].reduce((s, v) => s + v, 0);
    perClassCount[c] = n;
    perClassRecall[c] = n > 0 ? matrix[i][i] / n : null;
    if (n > 0) recalls.push(matrix[i][i] / n);
  });
  const correct = kept.filter(([t, p]) => t === p).length;
  const isSafe = (label: string) => safety.includes(label);
  const safetyClips = kept.filter(([t]) => isSafe(t));
  const otherClips = kept.filter(([t]) => !isSafe(t));
  const core = classes.filter((c) => perClassCount[c] >= minClips);
  const coreClips = kept.filter(([t]) => core.includes(t));
  return {
    clips: kept.length,
    accuracy: kept.length > 0 ? correct / kept.length : 0,
    macroRecall: recalls.length > 0 ? recalls.reduce((s, v) => s + v, 0) / recalls.length : 0,
    perClassRecall,
    perClassCount,
    safetyRecall: safetyClips.length > 0 ? safetyClips.filter(([, p]) => isSafe(p)).length / safetyClips.length : null,
    falseBypassRate: otherClips.length > 0 ? otherClips.filter(([, p]) => isSafe(p)).length / otherClips.length : null,
    coreAccuracy: {
      minClips,
      classes: core,
      clips: coreClips.length,
      accuracy: coreClips.length > 0 ? coreClips.filter(([t, p]) => t === p).length / coreClips.length : null,
    },
    confusion: { labels: [...classes], predicted: columns, matrix },
    excluded,
  };
}

/** Plain-text rendering of a report (what `antiphase classifier eval` prints). */
export function formatReport(report: EvaluationReport): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)}%`);
  const lines: string[] = [];
  lines.push(`clips evaluated       ${report.clips}`);
  lines.push(`accuracy              ${pct(report.accuracy)}`);
  lines.push(`macro recall          ${pct(report.macroRecall)}`);
  lines.push(
    `accuracy (classes with >= ${report.coreAccuracy.minClips} clips: ${report.coreAccuracy.classes.join(', ') || 'none'}; ${report.coreAccuracy.clips} clips)  ${pct(report.coreAccuracy.accuracy)}`,
  );
  lines.push(`safety recall         ${pct(report.safetyRecall)}   (alarm/siren clips detected as alarm or siren)`);
  lines.push(`false bypass rate     ${pct(report.falseBypassRate)}   (other clips classified as alarm or siren)`);
  const excluded = Object.entries(report.excluded);
  lines.push(`excluded labels       ${excluded.length === 0 ? 'none' : excluded.map(([l, n]) => `${l} (${n} clip${n === 1 ? '' : 's'})`).join(', ')}`);
  lines.push('');
  lines.push('per-class recall');
  for (const label of report.confusion.labels) {
    lines.push(`  ${label.padEnd(13)} ${pct(report.perClassRecall[label]).padStart(6)}  (${report.perClassCount[label]} clips)`);
  }
  lines.push('');
  lines.push('confusion matrix (rows: true label, columns: predicted)');
  const cols = report.confusion.predicted;
  const short = cols.map((c) => c.slice(0, 5));
  lines.push(`  ${''.padEnd(13)}${short.map((c) => c.padStart(6)).join('')}`);
  report.confusion.labels.forEach((label, i) => {
    lines.push(`  ${label.padEnd(13)}${report.confusion.matrix[i].map((v) => String(v).padStart(6)).join('')}`);
  });
  return lines.join('\n');
}
