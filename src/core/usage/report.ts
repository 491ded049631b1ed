import { generateEd25519Key, publicOf, sha256, SignatureInvalid, signEd25519, verifyEd25519, type JWK, type KeyRing } from '../../crypto/index.ts';
import { canonicalJson } from '../audit/record.ts';
import type { Clock } from '../clock.ts';
import { LicenseInvalid } from '../licensing/license.ts';
import type { Stores } from '../ports.ts';
import { METRICS } from './analytics.ts';
import { daysOf } from './calendar.ts';

// Signed monthly usage reports for installations that never phone home: the
// operator sends the file, the vendor verifies it offline. Each report is
// signed with the instance's own Ed25519 key and names the hash of the one
// before it, so a missing or edited report shows.

export const REPORT_TYP = 'authflow-usage-report+jws';
export const GENESIS = '0'.repeat(43);
const KEY_STATE = 'report_key';
const KEY_CONTEXT = 'usage-report-key';

export interface UsageReportBody {
  readonly type: 'authflow-usage-report';
  readonly version: 1;
  readonly instance_id: string;
  readonly seq: number;
  readonly prev_hash: string;
  readonly month: string;
  readonly generated_at: string;
  readonly license_id: string | null;
  readonly mau: number;
  readonly tenants: ReadonlyArray<{ readonly tenant: string; readonly id: string; readonly mau: number; readonly signins: number; readonly failures: number; readonly registrations: number }>;
  /** The instance's public key (the vendor pins it from the first report or passes --instance-key). */
  readonly key: JWK;
}

export interface UsageReportFile {
  readonly report: UsageReportBody;
  readonly hash: string;
  readonly signature: string;
}

export type ReportStores = Pick<Stores, 'instanceState' | 'usage' | 'tenants' | 'usageReports'>;

/** The instance's report key: created on first use (private part under the master key), the same for every server. */
export async function instanceReportKey(stores: Pick<Stores, 'instanceState'>, keyRing: KeyRing, clock: Clock): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  let stored = (await stores.instanceState.get(KEY_STATE)) as { public_jwk: JWK; private_enc: string } | undefined;
  if (!stored) {
    const key = await generateEd25519Key();
    stored = (await stores.instanceState.putIfAbsent(KEY_STATE, { public_jwk: key.publicJwk, private_enc: keyRing.encrypt(JSON.stringify(key.privateJwk), KEY_CONTEXT) }, clock.now())) as { public_jwk: JWK; private_enc: string };
  }
  return { privateJwk: JSON.parse(keyRing.decrypt(stored.private_enc, KEY_CONTEXT)) as JWK, publicJwk: stored.public_jwk };
}

/** The file's exact text: any byte changed, even whitespace, fails verification. */
export function renderReport(file: UsageReportFile): string {
  return `${JSON.stringify({ report: file.report, hash: file.hash, signature: file.signature }, null, 2)}\n`;
}

export function reportHash(body: UsageReportBody): string {
  return sha256(canonicalJson(body));
}

/** Builds, signs, stores and returns the next report of the chain for `month`. */
export async function createUsageReport(
  deps: { stores: ReportStores; keyRing: KeyRing; clock: Clock },
  input: { month: string; instanceId: string; licenseId: string | null },
): Promise<{ file: UsageReportFile; text: string }> {
  const { stores, clock } = deps;
  const key = await instanceReportKey(stores, deps.keyRing, clock);
  const { first, last } = daysOf(input.month);
  const daily = await stores.usage.daily(undefined, first, last);
  const active = await stores.usage.activeByTenant(input.month);
  const sum = (tenantId: string, metric: string) => daily.filter((d) => d.tenantId === tenantId && d.metric === metric).reduce((n, d) => n + d.count, 0);
  const tenants = [];
  for (const a of active) {
    const t = await stores.tenants.byId(a.tenantId);
    tenants.push({ tenant: t?.slug ?? a.tenantId, id: a.tenantId, mau: a.count, signins: sum(a.tenantId, METRICS.method), failures: sum(a.tenantId, METRICS.failure), registrations: sum(a.tenantId, METRICS.registration) });
  }
  tenants.sort((a, b) => a.tenant.localeCompare(b.tenant));
  const previous = await stores.usageReports.last();
  const body: UsageReportBody = {
    type: 'authflow-usage-report',
    version: 1,
    instance_id: input.instanceId,
    seq: (previous?.seq ?? 0) + 1,
    prev_hash: previous?.hash ?? GENESIS,
    month: input.month,
    generated_at: new Date(clock.now()).toISOString(),
    license_id: input.licenseId,
    mau: active.reduce((n, a) => n + a.count, 0),
    tenants,
    key: key.publicJwk,
  };
  const hash = reportHash(body);
  const signature = await signEd25519(key.privateJwk, new TextEncoder().encode(canonicalJson(body)), REPORT_TYP);
  const file = { report: body, hash, signature };
  const text = renderReport(file);
  // A conflict on seq means another process made a report at the same moment: the caller may retry.
  await stores.usageReports.insert({ seq: body.seq, month: body.month, hash, document: text, createdAt: clock.now() });
  return { file, text };
}

/** The outcome of verifying one report file. */
export interface ReportCheck {
  readonly seq: number;
  readonly month: string;
  readonly instance_id: string;
  readonly hash: string;
  readonly prev_hash: string;
  readonly kid: string | undefined;
  /** True when the key came from --instance-key; false when only the report's own key was used. */
  readonly key_pinned: boolean;
}

/** Verifies a report's exact text, hash and signature (against `instanceKey`, else the key inside it). */
export async function verifyUsageReport(text: string, instanceKey?: JWK): Promise<ReportCheck> {
  let parsed: UsageReportFile;
  try {
    parsed = JSON.parse(text) as UsageReportFile;
  } catch {
    throw new LicenseInvalid('the report is not valid: it is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || typeof parsed.signature !== 'string' || typeof parsed.hash !== 'string' || !parsed.report || typeof parsed.report !== 'object') {
    throw new LicenseInvalid('the report is not valid: it is not an authflow usage report');
  }
  if (renderReport(parsed) !== text) throw new LicenseInvalid('the report is not valid: the file was altered (its text is not exactly as signed)');
  if (reportHash(parsed.report) !== parsed.hash) throw new LicenseInvalid('the report is not valid: its content does not match its hash (it was edited)');
  let key: JWK;
  try {
    key = publicOf(instanceKey ?? parsed.report.key);
  } catch (e) {
    throw new LicenseInvalid(`the report is not valid: ${(e as Error).message}`);
  }
  let payload: Uint8Array;
  let kid: string | undefined;
  try {
    ({ payload, kid } = await verifyEd25519(parsed.signature, REPORT_TYP, { keys: [{ ...key, alg: 'EdDSA' }] }));
  } catch (e) {
    if (e instanceof SignatureInvalid) throw new LicenseInvalid(`the report is not valid: ${e.message}`);
    throw e;
  }
  if (new TextDecoder().decode(payload) !== canonicalJson(parsed.report)) throw new LicenseInvalid('the report is not valid: the signature covers other content (it was edited)');
  const r = parsed.report;
  return { seq: r.seq, month: r.month, instance_id: r.instance_id, hash: parsed.hash, prev_hash: r.prev_hash, kid, key_pinned: instanceKey !== undefined };
}

/** Checks that verified reports form one unbroken chain (seq consecutive, each naming its predecessor's hash, one instance). */
export function chainProblems(checks: readonly ReportCheck[]): string[] {
  const sorted = [...checks].sort((a, b) => a.seq - b.seq);
  const problems: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    if (cur.instance_id !== prev.instance_id) problems.push(`report ${cur.seq} is from instance ${cur.instance_id}, report ${prev.seq} from ${prev.instance_id}`);
    else if (cur.seq !== prev.seq + 1) problems.push(`reports ${prev.seq + 1}${cur.seq - 1 > prev.seq + 1 ? `–${cur.seq - 1}` : ''} are missing between ${prev.seq} and ${cur.seq}`);
    else if (cur.prev_hash !== prev.hash) problems.push(`report ${cur.seq} does not follow report ${prev.seq} (its prev_hash differs)`);
  }
  if (sorted[0]?.seq === 1 && sorted[0].prev_hash !== GENESIS) problems.push('report 1 does not start the chain');
  return problems;
}
