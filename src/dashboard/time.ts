/** `2026-12-04 19:06:22 UTC`: the exact time, shown on hover. */
export function exactTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** `3 min ago`; the browser keeps it current, this is what a page without JavaScript shows. */
export function relativeTime(iso: string, now: number): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return iso;
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days < 30 ? `${days} d ago` : iso.slice(0, 10);
}

export function timeElement(iso: string, now: number): string {
  return `<time datetime="${iso}" title="${exactTime(iso)}" data-relative>${relativeTime(iso, now)}</time>`;
}

/** `4m 12s`, from start to end (or to now while running). */
export function duration(startedAt: string, completedAt: string | null, now: number): string {
  const total = Math.max(
    0,
    Math.round(((completedAt ? Date.parse(completedAt) : now) - Date.parse(startedAt)) / 1000),
  );
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours) return `${hours}h ${minutes}m`;
  return minutes ? `${minutes}m ${seconds}s` : `${seconds}s`;
}
