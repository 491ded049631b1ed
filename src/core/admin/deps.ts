import type { KeyRing } from '../../crypto/index.ts';
import type { Clock } from '../clock.ts';
import type { Repository } from '../ports.ts';
import type { LicenseState } from '../licensing/licensing.ts';

/** What the management use-cases need. */
export interface AdminDeps {
  readonly repo: Repository;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly publicUrl: string;
  /** The installed licenses, read fresh (limits on creates, gated features). Without it, nothing is limited. */
  readonly licenses?: () => Promise<LicenseState>;
}

export interface ListQuery {
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;
