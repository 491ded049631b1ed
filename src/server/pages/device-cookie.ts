/** The long-lived cookie that recognises a browser across sign-ins (new-device notices); host-wide, the secret is hashed per user. */
export function deviceCookieName(secure: boolean): string {
  return `${secure ? '__Host-' : ''}af_dev`;
}

/** The longest lifetime browsers accept for a cookie (RFC 6265bis §5.5: 400 days). */
export const DEVICE_COOKIE_MAX_AGE = 400 * 86_400;
