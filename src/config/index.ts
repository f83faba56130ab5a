export { formatConfigIssues, loadConfig, parseConfig } from './loader.ts';
export * from './schema.ts';
