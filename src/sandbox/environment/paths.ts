/** The repository-owned setup script: when present (and no setup is configured) it replaces detection. */
export const SETUP_SCRIPT = '.baton/setup.sh';

/**
 * Caches of package managers that keep their downloads under HOME by default (Go's module cache,
 * Cargo's registry), moved into the workspace so that the snapshot holds them. Git-excluded.
 */
export const TOOL_CACHE_DIR = '.baton-env';

/** Variables every phase gets so that the tool caches live in the workspace (see TOOL_CACHE_DIR). */
export function toolCacheEnv(workdir: string): Record<string, string> {
  return {
    GOMODCACHE: `${workdir}/${TOOL_CACHE_DIR}/go/mod`,
    GOFLAGS: '-modcacherw',
    CARGO_HOME: `${workdir}/${TOOL_CACHE_DIR}/cargo`,
    PIP_NO_CACHE_DIR: '1',
  };
}
