export { importUsers, importRowSchema, type ImportOptions, type ImportRowError, type ImportSummary } from './import-users.ts';
export { recordsOf, IMPORT_FORMATS, USER_COLUMNS, MAX_ROW_BYTES, type ImportFormat, type ImportRecord } from './records.ts';
