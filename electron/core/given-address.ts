/**
 * What Lifeboat fetches on its own (a restore's health URL, an alert target) is exactly the address a
 * person gave: a redirect is never followed, since it could lead to another host or a login page.
 */

/** Fetches `url` without following a redirect; `redirect` says where a 3xx pointed (null for any other answer). */
export async function fetchGivenAddress(
  url: string,
  init: RequestInit,
): Promise<{ readonly response: Response; readonly redirect: string | null }> {
  const response = await fetch(url, { ...init, redirect: 'manual' });
  if (response.status < 300 || response.status >= 400) {
    return { response, redirect: null };
  }
  await response.body?.cancel();
  const location = response.headers.get('location');
  return {
    response,
    redirect: `the server answered ${response.status}, pointing to ${location === null ? 'no address' : new URL(location, url).toString()}; redirects are not followed: give that address itself if it is the right one`,
  };
}
