/** Where a TV keeps its kiosk token, so a reload without `?token=` keeps working (the wall and its timeline). */
const TOKEN_KEY = 'oee.wall.token';

export function kioskToken(params: URLSearchParams): string | null {
  const fromUrl = params.get('token');
  try {
    if (fromUrl) localStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl ?? localStorage.getItem(TOKEN_KEY);
  } catch {
    return fromUrl; // storage disabled (some kiosk browsers): the URL must carry the token
  }
}

export function positiveInt(value: string | null): number | null {
  if (value === null || !/^\d{1,9}$/.test(value)) return null;
  const n = Number(value);
  return n > 0 ? n : null;
}
