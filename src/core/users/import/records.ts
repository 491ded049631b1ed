// The two file formats of `user import` / `user export`, read as streams:
// JSON Lines (one JSON object a line) and CSV (a header row naming the
// columns; `attributes` a JSON string). Each yields one record per row with
// its line number, or the reason the row could not be read, so one bad row
// never stops the rest. Memory stays bounded whatever the file's size.
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ValidationFailed } from '../../errors.ts';

export const IMPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One row of the file: its fields, or why it could not be read. */
export type ImportRecord = { readonly line: number; readonly fields: Record<string, unknown> } | { readonly line: number; readonly error: string };

/** The longest row accepted (a user is far smaller: attributes are capped at 16 KiB). */
export const MAX_ROW_BYTES = 256 * 1024;

/** The columns a row may have, in export order. */
export const USER_COLUMNS = ['email', 'email_verified', 'name', 'given_name', 'family_name', 'phone', 'locale', 'picture', 'external_id', 'attributes', 'disabled', 'password', 'password_hash'] as const;

export function recordsOf(format: ImportFormat, source: AsyncIterable<string | Buffer>): AsyncGenerator<ImportRecord> {
  return format === 'csv' ? csvRecords(source) : jsonlRecords(source);
}

/** Splits a byte stream into lines (LF or CRLF), without ever holding more than one row. */
async function* lines(source: AsyncIterable<string | Buffer>): AsyncGenerator<{ line: number; text: string | undefined }> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let pending = '';
  let tooLong = false;
  let line = 0;
  const take = (text: string) => {
    line += 1;
    const out = { line, text: tooLong ? undefined : text.endsWith('\r') ? text.slice(0, -1) : text };
    tooLong = false;
    return out;
  };
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      yield take(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
    // A row without an end: forget its text (it is reported), keep counting lines.
    if (pending.length > MAX_ROW_BYTES) {
      tooLong = true;
      pending = '';
    }
  }
  pending += decoder.decode();
  if (pending !== '' || tooLong) yield take(pending);
}

async function* jsonlRecords(source: AsyncIterable<string | Buffer>): AsyncGenerator<ImportRecord> {
  for await (const { line, text } of lines(source)) {
    if (text === undefined) {
      yield { line, error: `longer than ${MAX_ROW_BYTES} bytes` };
      continue;
    }
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { line, error: 'not valid JSON' };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { line, error: 'not a JSON object' };
      continue;
    }
    // null members mean "not given", like empty CSV cells.
    yield { line, fields: Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null)) };
  }
}

const BOOLEAN: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

/** A CSV cell as the JSON value the row schema expects (cells are text; empty means "not given"). */
function cell(column: string, raw: string): { value?: unknown; error?: string } {
  if (raw === '') return {};
  if (column === 'email_verified' || column === 'disabled') {
    const b = BOOLEAN[raw.trim().toLowerCase()];
    return b === undefined ? { error: `${column}: must be true or false` } : { value: b };
  }
  if (column === 'attributes') {
    try {
      return { value: JSON.parse(raw) };
    } catch {
      return { error: 'attributes: must be a JSON object' };
    }
  }
  return { value: raw };
}

async function* csvRecords(source: AsyncIterable<string | Buffer>): AsyncGenerator<ImportRecord> {
  const skipped: ImportRecord[] = [];
  const parser = Readable.from(source).pipe(
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      max_record_size: MAX_ROW_BYTES,
      // The reason from the error's code only: its message quotes the row's text.
      on_skip: (err) => void skipped.push({ line: Number(err?.lines ?? 0), error: `not valid CSV (${(err?.code ?? 'unreadable').replace(/^CSV_/, '').replaceAll('_', ' ').toLowerCase()})` }),
    }),
  );
  let header: string[] | undefined;
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield* skipped.splice(0);
    if (!header) {
      header = record.map((h) => h.trim());
      const unknown = header.find((h) => !(USER_COLUMNS as readonly string[]).includes(h));
      if (unknown !== undefined) throw new ValidationFailed('header', `names an unknown column "${unknown}" (known: ${USER_COLUMNS.join(', ')})`);
      if (!header.includes('email')) throw new ValidationFailed('header', 'has no "email" column');
      continue;
    }
    if (record.length !== header.length) {
      yield { line: info.lines, error: `${record.length} fields where the header has ${header.length}` };
      continue;
    }
    const fields: Record<string, unknown> = {};
    let error: string | undefined;
    header.forEach((column, i) => {
      const c = cell(column, record[i]!);
      if (c.error) error ??= c.error;
      else if (c.value !== undefined) fields[column] = c.value;
    });
    yield error ? { line: info.lines, error } : { line: info.lines, fields };
  }
  yield* skipped.splice(0);
}

