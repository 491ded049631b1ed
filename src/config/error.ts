// Kept free of imports: the CLI checks for it on every run, even `--version`.

/** A configuration value that cannot be used; names the field and, for the file, the line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly field: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, field?: string, file?: string, line?: number) {
    super(message);
    this.field = field;
    this.file = file;
    this.line = line;
  }
}
