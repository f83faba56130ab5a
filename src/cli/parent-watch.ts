/**
 * Calls `onGone` once when the process that started this one ends. `npx baton start` runs Baton
 * under `npm exec`, which exits on SIGTERM without passing it on; Baton, orphaned, would serve on.
 * An orphan is adopted by init (or a subreaper), so its parent pid changes: that is the signal.
 */
export function watchParent(options: {
  onGone: () => void;
  /** The current parent pid; a seam for tests. */
  parentPid?: () => number;
  intervalMs?: number;
}): () => void {
  const parentPid = options.parentPid ?? (() => process.ppid);
  const original = parentPid();
  // Started by init itself (a container's pid 1, systemd): there is no parent to outlive.
  if (original <= 1) return () => {};
  const timer = setInterval(() => {
    if (parentPid() === original) return;
    clearInterval(timer);
    options.onGone();
  }, options.intervalMs ?? 500);
  // Watching must never be what keeps the process alive.
  timer.unref();
  return () => clearInterval(timer);
}
