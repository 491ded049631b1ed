// Silences one kind of noise in the single binary: Node marks some Web Crypto
// algorithms as experimental and warns the first time a library merely looks
// them up (jose lists every algorithm it knows). Every other warning, including
// other ExperimentalWarnings, is still printed.
const WEB_CRYPTO_PROBE = /Web Crypto API algorithm/;

const emitWarning = process.emitWarning;

function typeOf(warning: unknown, typeOrOptions: unknown): string | undefined {
  if (typeof typeOrOptions === 'string') return typeOrOptions;
  if (typeOrOptions && typeof typeOrOptions === 'object' && 'type' in typeOrOptions) return String(typeOrOptions.type);
  if (warning instanceof Error) return warning.name;
  return undefined;
}

process.emitWarning = function filteredEmitWarning(this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
  const message = typeof warning === 'string' ? warning : warning?.message;
  if (typeOf(warning, rest[0]) === 'ExperimentalWarning' && WEB_CRYPTO_PROBE.test(message ?? '')) return;
  return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
} as typeof process.emitWarning;
