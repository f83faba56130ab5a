#!/usr/bin/env node
// The `baton` executable. TypeScript runs directly through tsx's loader, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
