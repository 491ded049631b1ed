// Flag parsing shared by the management commands (tenant, client, key, apikey).
import { Option, type Command } from 'commander';
import type { ListQuery, Page } from '../core/admin/index.ts';
import { UsageError } from './exit-codes.ts';

/** For repeatable flags: `--scope a --scope b` → ['a', 'b']. */
export function repeatable(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A whole number of seconds from a flag, or a usage error naming the flag. */
export function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw new UsageError(`${flag} must be a whole number of seconds, not "${value}"`);
  return Number(value);
}

/** `--set key=value`: the value is JSON when it parses as JSON (numbers, booleans, objects), a string otherwise. */
export function settingsOf(pairs: readonly string[] | undefined): Record<string, unknown> | undefined {
  if (!pairs?.length) return undefined;
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!key) throw new UsageError(`--set takes key=value (e.g. --set access_token_ttl=300), not "${pair}"`);
    const raw = pair.slice(eq + 1);
    try {
      out[key] = JSON.parse(raw);
    } catch {
      out[key] = raw;
    }
  }
  return out;
}

export interface PageFlags {
  limit?: string;
  cursor?: string;
  all?: boolean;
}

/** Adds `--limit N --cursor C | --all` to a list command. */
export function pageOptions(cmd: Command, noun: string): Command {
  return cmd
    .option('--limit <n>', `how many ${noun} per page (1–200, default 50)`)
    .option('--cursor <cursor>', 'continue after the page that printed this cursor')
    .addOption(new Option('--all', `every ${noun}, fetching page after page`).conflicts('cursor'));
}

/** Lists one page, or every page with `--all`, through `list`. */
export async function listPages<T>(flags: PageFlags, list: (q: ListQuery) => Promise<Page<T>>): Promise<Page<T>> {
  let limit: number | undefined;
  if (flags.limit !== undefined) {
    if (!/^\d{1,3}$/.test(flags.limit) || Number(flags.limit) < 1 || Number(flags.limit) > 200) throw new UsageError(`--limit must be a number from 1 to 200, not "${flags.limit}"`);
    limit = Number(flags.limit);
  }
  if (!flags.all) return list({ limit, cursor: flags.cursor });
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: limit ?? 200, cursor });
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return { items, next_cursor: null };
}

/** The hint under a human list when more pages exist; `all` is how to get everything, when the command has a way. */
export function morePages(command: string, page: Page<unknown>, all: string | null = '--all'): string {
  return page.next_cursor ? `\n\nMore: ${command} --cursor ${page.next_cursor}${all ? `  (or ${all})` : ''}` : '';
}

/** Examples appended to a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
