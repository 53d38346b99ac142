/** Longest `redirectTo` accepted. */
export const REDIRECT_TARGET_MAX_LENGTH = 2048;

// Any whitespace, control character or backslash: browsers "fix" these (`/\evil.example` becomes
// `//evil.example`), so a target holding one is refused rather than normalised.
const SUSPICIOUS = /[\s\p{Cc}\\]/u;
const PROBE_ORIGIN = 'http://redirect-target.invalid';

/**
 * Checks a post-login redirect target: a relative path (`/x`, never `//x`), or an absolute
 * http(s) URL without credentials whose origin is exactly one of `allowedOrigins`.
 * @returns the target to redirect to (a path, or the absolute URL), or null when not allowed.
 */
export const safeRedirectTarget = (
  value: string,
  allowedOrigins: readonly string[],
): string | null => {
  if (value.length === 0 || value.length > REDIRECT_TARGET_MAX_LENGTH || SUSPICIOUS.test(value)) {
    return null;
  }
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return null;
    let url: URL;
    try {
      url = new URL(value, PROBE_ORIGIN);
    } catch {
      return null;
    }
    // Still on the probe origin: the path cannot have escaped to another host.
    return url.origin === PROBE_ORIGIN ? `${url.pathname}${url.search}${url.hash}` : null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  const allowed = allowedOrigins.some((origin) => {
    try {
      return new URL(origin).origin === url.origin;
    } catch {
      return false;
    }
  });
  return allowed ? url.href : null;
};
