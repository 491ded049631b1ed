// node:cluster starts a worker as `<node> <node options> <main script> <args…>`. The single
// binary has no main script on disk, so in a worker the word in the script's
// place (the binary's name, as the primary was called) is dropped before the
// CLI reads its arguments: the worker then runs the primary's command line.
import cluster from 'node:cluster';
import { isSea } from 'node:sea';

if (isSea() && cluster.isWorker) process.argv.splice(2, 1);
// The binary's V8 options come from its own SEA config, in every process: node:cluster must not pass them as arguments.
if (isSea() && cluster.isPrimary) cluster.setupPrimary({ execArgv: [] });
