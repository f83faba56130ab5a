import { shellQuote } from './shell-quote.ts';

/** ripgrep over the workspace: hidden files included (.github matters), .git never, .gitignore respected. */
export const RG_BASE = `rg --hidden --glob '!.git' --color never`;

/** Exit status a command uses when the directory to search does not exist. */
export const MISSING_DIRECTORY_EXIT = 90;

/** Runs `command` from `directory` (workspace-relative), exiting with a known code when it is missing. */
export function inDirectory(directory: string, command: string): string {
  if (directory === '.') return command;
  const quoted = shellQuote(directory);
  return `if [ ! -d ${quoted} ]; then exit ${MISSING_DIRECTORY_EXIT}; fi; cd ${quoted} && ${command}`;
}

/** Prefixes a path listed from inside `directory` so the model sees workspace-relative paths. */
export function fromDirectory(directory: string, path: string): string {
  return directory === '.' ? path : `${directory}/${path}`;
}
