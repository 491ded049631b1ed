import { readFile, writeFile } from 'node:fs/promises';
import type { Clock } from '../core/clock.ts';
import { NotFound, ValidationFailed } from '../core/errors.ts';
import { generateVendorKey, issueLicense, type IssueLicenseInput } from '../core/licensing/issue.ts';
import { assertInstallable, graceEnd, licenseFileText, LicenseInvalid, phaseOf, readLicense, type License, type LicensePhase } from '../core/licensing/license.ts';
import { effectiveInstance, effectiveTenant, INSTANCE_SLOT, instanceIdOf, loadLicenseState, type Effective, type LicenseState } from '../core/licensing/licensing.ts';
import { THRESHOLDS, type LimitName } from '../core/licensing/catalogue.ts';
import { monthOf } from '../core/usage/calendar.ts';
import type { ReportCheck } from '../core/usage/report.ts';
import type { JWK } from '../crypto/index.ts';
import type { Authflow } from './open.ts';

// The license use-cases behind `authflow license …`: vendor side (keygen,
// issue: no data dir needed) and operator side (install, status, remove).

/** What `license inspect` and `install` print about a license. */
export interface LicenseView {
  readonly id: string;
  readonly licensee: string;
  readonly plan: string;
  readonly scope: 'instance' | 'tenant';
  readonly tenant: string | null;
  readonly instance: string | null;
  readonly issued_at: string;
  readonly not_before: string;
  readonly expires_at: string;
  readonly grace_days: number;
  readonly grace_ends_at: string;
  readonly phase: LicensePhase;
  readonly entitlements: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
}

export function licenseView(l: License, now: number): LicenseView {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    id: l.id,
    licensee: l.licensee,
    plan: l.plan,
    scope: l.scope,
    tenant: l.tenant ?? null,
    instance: l.instance ?? null,
    issued_at: iso(l.issuedAt),
    not_before: iso(l.notBefore),
    expires_at: iso(l.expiresAt),
    grace_days: l.graceDays,
    grace_ends_at: iso(graceEnd(l)),
    phase: phaseOf(l, now),
    entitlements: l.entitlements,
    limits: l.limits as Record<string, number>,
  };
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFound(`${what} ${file} does not exist`);
    throw new ValidationFailed(what, `${file} cannot be read (${code ?? 'error'})`);
  }
}

/** `license keygen`: writes the private JWK (mode 0600) and returns the public one for the build's key set. */
export async function licenseKeygen(out: string): Promise<{ kid: string; file: string; public_jwk: JWK }> {
  const key = await generateVendorKey();
  try {
    await writeFile(out, `${JSON.stringify(key.privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ValidationFailed('--out', `${out} already exists; a vendor key is never overwritten`);
    throw e;
  }
  return { kid: key.kid, file: out, public_jwk: key.publicJwk };
}

/** `license issue`: signs a license with the vendor key file and writes the .lic file. */
export async function licenseIssue(keyFile: string, input: IssueLicenseInput, out: string | undefined, clock: Clock): Promise<{ license: LicenseView; file: string | null; text: string }> {
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readText(keyFile, '--key')) as JWK;
  } catch (e) {
    if (e instanceof SyntaxError) throw new LicenseInvalid(`the vendor key ${keyFile} is not a JSON Web Key`);
    throw e;
  }
  const license = await issueLicense(jwk, input, clock.now());
  const text = licenseFileText(license);
  if (out) await writeFile(out, text, { mode: 0o644 });
  return { license: licenseView(license, clock.now()), file: out ?? null, text };
}

/** `license inspect`: verifies a license file against this build's vendor keys, without installing it. */
export async function licenseInspect(file: string, clock: Clock): Promise<LicenseView> {
  return licenseView(await readLicense(await readText(file, 'license file')), clock.now());
}

/** `license install`: verifies and installs the instance license; every running server picks it up. */
export async function licenseInstall(af: Authflow, file: string): Promise<LicenseView> {
  const license = await readLicense(await readText(file, 'license file'));
  const now = af.clock.now();
  assertInstallable(license, { now, instanceId: await instanceIdOf(af.repo, af.clock) });
  await af.repo.licenses.put({ slot: INSTANCE_SLOT, tenantId: null, token: license.token, planId: null, installedAt: now });
  return licenseView(license, now);
}

/** `tenant update T --license FILE`: a tenant's own license (its entitlements are the instance's ∩ its own). */
export async function tenantLicenseInstall(af: Authflow, tenantRef: string, file: string): Promise<LicenseView> {
  const tenant = (await af.repo.tenants.bySlug(tenantRef)) ?? (await af.repo.tenants.byId(tenantRef));
  if (!tenant) throw new NotFound(`tenant ${tenantRef} does not exist`);
  const license = await readLicense(await readText(file, 'license file'));
  const now = af.clock.now();
  assertInstallable(license, { now, instanceId: await instanceIdOf(af.repo, af.clock), tenantSlug: tenant.slug });
  const existing = await af.repo.licenses.get(tenant.id);
  await af.repo.licenses.put({ slot: tenant.id, tenantId: tenant.id, token: license.token, planId: existing?.planId ?? null, installedAt: now });
  return licenseView(license, now);
}

/** `license remove`: back to the community entitlements (no data is touched). */
export async function licenseRemove(af: Authflow): Promise<{ removed: string | null }> {
  const row = await af.repo.licenses.get(INSTANCE_SLOT);
  if (!row) throw new NotFound('no license is installed (a license_file in the configuration is removed by editing the configuration)');
  let id: string | null = null;
  try {
    id = row.token ? (await readLicense(row.token)).id : null;
  } catch {}
  await af.repo.licenses.remove(INSTANCE_SLOT);
  return { removed: id };
}

/** The configured license file's text, or why it cannot be read; undefined without license_file. */
export async function licenseFileOf(af: Pick<Authflow, 'config'>): Promise<string | { error: string } | undefined> {
  const file = af.config.licenseFile;
  if (!file) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    return { error: `the license file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

export async function currentLicenseState(af: Pick<Authflow, 'config' | 'repo' | 'clock'>): Promise<LicenseState> {
  return loadLicenseState(af.repo, af.clock, await licenseFileOf(af));
}

export interface LimitUsage {
  readonly limit: LimitName;
  readonly max: number | null;
  readonly used: number;
  /** used / max, when there is a max. */
  readonly share: number | null;
}

export interface LicenseStatusView {
  readonly instance_id: string;
  readonly plan: string;
  readonly source: 'file' | 'database' | 'none';
  readonly phase: Effective['phase'];
  readonly license: LicenseView | null;
  readonly entitlements: readonly string[];
  readonly usage: readonly LimitUsage[];
  readonly month: string;
  readonly warnings: readonly string[];
}

/** `license status`: plan, entitlements, limits against current usage, expiry, grace and warnings. */
export async function licenseStatus(af: Authflow): Promise<LicenseStatusView> {
  const now = af.clock.now();
  const state = await currentLicenseState(af);
  const effective = effectiveInstance(state, now);
  const month = monthOf(now);
  const mau = (await af.repo.usage.activeByTenant(month)).reduce((n, t) => n + t.count, 0);
  const used: Record<LimitName, number> = { mau, tenants: await af.repo.tenants.count(), clients: await af.repo.clients.countAll() };
  const usage = (Object.keys(used) as LimitName[]).map((limit) => {
    const max = effective.limits[limit] ?? null;
    return { limit, max, used: used[limit], share: max ? used[limit] / max : null };
  });
  const warnings: string[] = [];
  const loaded = state.instance;
  if (loaded?.problem) warnings.push(`the ${loaded.source === 'file' ? 'license file' : 'installed license'} is not used: ${loaded.problem}`);
  const l = loaded?.license;
  if (l) {
    const phase = phaseOf(l, now);
    if (phase === 'grace') warnings.push(`the license expired on ${licenseView(l, now).expires_at.slice(0, 10)}; it keeps working until ${new Date(graceEnd(l)).toISOString().slice(0, 10)}, then the community entitlements apply`);
    if (phase === 'expired') warnings.push(`the license expired on ${licenseView(l, now).expires_at.slice(0, 10)} and its grace period is over: the community entitlements apply until a new license is installed`);
    if (phase === 'not_yet_valid') warnings.push(`the license is not valid before ${licenseView(l, now).not_before.slice(0, 10)}`);
    if (phase === 'valid' && l.expiresAt - now < 30 * 86_400_000) warnings.push(`the license expires on ${licenseView(l, now).expires_at.slice(0, 10)}`);
  }
  for (const u of usage) {
    if (u.share === null) continue;
    const reached = [...THRESHOLDS].reverse().find((t) => u.share! >= t);
    if (reached !== undefined) warnings.push(`${u.limit}: ${u.used} of ${u.max} used (${Math.round(u.share * 100)} %)${reached >= 1 ? ', at or over the limit' : ''}`);
  }
  if (state.clockProblem) warnings.push(state.clockProblem);
  return {
    instance_id: await instanceIdOf(af.repo, af.clock),
    plan: effective.plan,
    source: l && effective.licenseId === l.id ? loaded!.source : 'none',
    phase: effective.phase,
    license: l ? licenseView(l, now) : null,
    entitlements: [...effective.entitlements],
    usage,
    month,
    warnings,
  };
}

export { effectiveTenant };

/** `usage report`: the month's signed report, next in this instance's chain; written to `out`. */
export async function usageReport(af: Authflow, month: string, out: string | undefined): Promise<{ seq: number; month: string; hash: string; file: string | null; text: string; instance_key: JWK }> {
  const { createUsageReport } = await import('../core/usage/report.ts');
  const state = await currentLicenseState(af);
  const effective = effectiveInstance(state, af.clock.now());
  const { file, text } = await createUsageReport({ stores: af.repo, keyRing: af.keyRing, clock: af.clock }, { month, instanceId: await instanceIdOf(af.repo, af.clock), licenseId: effective.licenseId ?? null });
  if (out) await writeFile(out, text, { mode: 0o644 });
  return { seq: file.report.seq, month: file.report.month, hash: file.hash, file: out ?? null, text, instance_key: file.report.key };
}

/** `license verify-report`: each file's signature and hash, and that together they form one chain. */
export async function verifyReports(files: readonly string[], instanceKeyFile: string | undefined): Promise<{ reports: ReportCheck[]; chain_intact: boolean; problems: string[] }> {
  const { chainProblems, verifyUsageReport } = await import('../core/usage/report.ts');
  let key: JWK | undefined;
  if (instanceKeyFile) {
    try {
      key = JSON.parse(await readText(instanceKeyFile, '--instance-key')) as JWK;
    } catch (e) {
      if (e instanceof SyntaxError) throw new LicenseInvalid(`the instance key ${instanceKeyFile} is not a JSON Web Key`);
      throw e;
    }
  }
  const reports: ReportCheck[] = [];
  for (const f of files) {
    try {
      reports.push(await verifyUsageReport(await readText(f, 'report'), key));
    } catch (e) {
      if (e instanceof LicenseInvalid) throw new LicenseInvalid(`${f}: ${e.message}`);
      throw e;
    }
  }
  const problems = chainProblems(reports);
  return { reports, chain_intact: problems.length === 0, problems };
}
