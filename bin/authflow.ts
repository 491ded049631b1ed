#!/usr/bin/env node
import '../src/cli/threadpool.ts';
import { main } from '../src/cli/main.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`authflow: unexpected failure: ${(e as Error)?.message ?? e}\n`);
    process.exitCode = 1;
  },
);
