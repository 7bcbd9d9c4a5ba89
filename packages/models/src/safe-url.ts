/**
 * A URL as it may be shown in logs, errors and banners: scheme, host, port and path only. The
 * userinfo (`user:password@`), the query (`?access_token=...`) and the fragment are dropped,
 * because gateways put credentials in all three.
 */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

