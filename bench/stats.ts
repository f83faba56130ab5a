/** Small helpers for printing benchmark figures. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

export function formatMs(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}

export function printFigure(name: string, figures: Record<string, string>, goal: string, met: boolean): void {
  const parts = Object.entries(figures).map(([key, value]) => `${key}=${value}`);
  console.log(`${name}: ${parts.join('  ')}  goal: ${goal}  ${met ? 'MET' : 'NOT MET'}`);
}
