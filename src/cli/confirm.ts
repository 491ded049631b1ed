import type { CommandContext } from './context.ts';
import { UsageError } from './exit-codes.ts';

/**
 * Asks before a destructive action. `--yes` skips the question; without a
 * terminal to ask on (scripts, CI) the action is refused unless `--yes` is given.
 */
export async function confirm(ctx: CommandContext, question: string): Promise<void> {
  if (ctx.globals.yes) return;
  if (!ctx.io.stdinIsTTY || ctx.io.json) throw new UsageError('this action is destructive: pass --yes to confirm it');
  const { confirm: ask } = await import('@inquirer/prompts');
  if (!(await ask({ message: question, default: false }))) throw new UsageError('cancelled');
}
