export { openAuthflow, type Authflow, type OpenOptions } from './open.ts';
export { loadKeyRing } from './key-ring.ts';
export { rotateMasterKey, reencryptAll, generateMasterKey, type RotationResult } from './secrets.ts';
export { initialize, isInitialized, ADMIN_CREDENTIALS_FILE, type InitAnswers, type InitResult } from './init.ts';
export { buildHttpApp, createHttpApp, startServer, type Serving, type HttpApp } from './serve.ts';
export { createLogger, type Logger } from './logger.ts';
export { dataDirProblems, assertUsableInstall } from './data-dir.ts';
export { diagnose, type Check } from './doctor.ts';
export { migrateDatabase, databaseStatus } from './database.ts';
