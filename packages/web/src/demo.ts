/** Demo page (placeholder until the AudioWorklet demo lands). */
export async function renderDemo(app: HTMLElement): Promise<() => void> {
  app.innerHTML = '<h1>Demo</h1><p>Not built yet.</p>';
  return () => undefined;
}
