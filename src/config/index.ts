export { ConfigError } from './error.ts';
export { loadConfig, resolveDataDir, databaseTarget, PRIVATE_NETWORKS, CONFIG_FILE_NAME, MASTER_KEY_FILE_NAME, DEFAULT_DATA_DIR, type Config, type SmtpConfig, type DatabaseTarget, type LoadOptions } from './load.ts';
export { configSchema, isLoopbackHost, settingProblem, type RawConfig } from './schema.ts';
