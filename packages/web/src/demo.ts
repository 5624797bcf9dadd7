/** Demo page (placeholder until the AudioWorklet demo lands). */
export async function renderDemo(app: HTMLElement): Promise<() => void> {
  app.innerHTML = '<h1>Demo</h1><p role="status">The browser demo (local AudioWorklet and service mode) is not built yet; run <code>npx antiphase demo</code> or <code>npx antiphase stream</code> meanwhile.</p>';
  return () => undefined;
}
