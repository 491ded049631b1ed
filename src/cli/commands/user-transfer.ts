import type { Command } from 'commander';
import type { RunEnv } from '../context.ts';

/** `user import` and `user export` (registered on the `user` command). */
export function registerUserTransfer(_user: Command, _run: RunEnv): void {}
