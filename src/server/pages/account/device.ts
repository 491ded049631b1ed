import Bowser from 'bowser';

/** "Chrome 126 on macOS", "Firefox on Linux", or "Unknown device": what a session list shows for a user agent. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  try {
    const { browser, os } = Bowser.parse(userAgent);
    const major = browser.version?.split('.')[0];
    const name = browser.name ? `${browser.name}${major ? ` ${major}` : ''}` : undefined;
    if (name && os.name) return `${name} on ${os.name}`;
    return name ?? os.name ?? 'Unknown device';
  } catch {
    return 'Unknown device';
  }
}

/** A time as the account page shows it (UTC, minutes). */
export function shownTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
