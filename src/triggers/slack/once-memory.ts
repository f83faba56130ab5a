/**
 * Remembers keys it has seen, up to `capacity` (oldest forgotten first). Used for "refuse once per
 * user and thread" and for a first, local dedupe of deliveries that never reach the intake.
 */
export interface OnceMemory {
  /** True the first time a key is seen. */
  first(key: string): boolean;
  has(key: string): boolean;
  remember(key: string): void;
}

export function createOnceMemory(capacity = 10_000): OnceMemory {
  const seen = new Set<string>();
  const remember = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    if (seen.size > capacity) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  };
  return {
    first(key) {
      if (seen.has(key)) return false;
      remember(key);
      return true;
    },
    has: (key) => seen.has(key),
    remember,
  };
}
