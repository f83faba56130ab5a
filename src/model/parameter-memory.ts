/**
 * Which optional request parameters an endpoint has refused, so later calls leave them out from
 * the start. Held in memory for the life of the process: a restart asks again, once.
 */
export interface ParameterMemory {
  unsupported(endpoint: string): ReadonlySet<string>;
  /** Records a refusal; true the first time this endpoint refuses this parameter. */
  remember(endpoint: string, parameter: string): boolean;
}

export function createParameterMemory(): ParameterMemory {
  const refused = new Map<string, Set<string>>();
  return {
    unsupported: (endpoint) => refused.get(endpoint) ?? new Set(),
    remember(endpoint, parameter) {
      const known = refused.get(endpoint) ?? new Set<string>();
      refused.set(endpoint, known);
      if (known.has(parameter)) return false;
      known.add(parameter);
      return true;
    },
  };
}

/** Shared by every model client of this process, so each refusal is met and logged once. */
export const processParameterMemory: ParameterMemory = createParameterMemory();
