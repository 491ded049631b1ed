// Stands in for better-sqlite3 inside the single binary: the package's own
// Database class, given the addon embedded in the program as `nativeBinding`
// instead of looking for one next to its files. The build resolves
// 'better-sqlite3' here to the real package (everywhere else to this file).
import RealDatabase from 'better-sqlite3';
import { loadAddon } from './addon.ts';

const ADDON_ASSET = 'better_sqlite3.node';

// The package's types say `nativeBinding` is a path; it also accepts the addon object.
type Options = Omit<RealDatabase.Options, 'nativeBinding'> & { nativeBinding?: string | object };

class Database extends (RealDatabase as unknown as new (filename?: string | Buffer, options?: Options) => RealDatabase.Database) {
  constructor(filename?: string | Buffer, options: Options = {}) {
    super(filename, { ...options, nativeBinding: loadAddon(ADDON_ASSET) as object });
  }
}

export default Database as unknown as typeof RealDatabase;
