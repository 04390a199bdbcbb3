// @ts-check
// The page's only way to the server: fetch with the bearer token kept in sessionStorage.
const TOKEN_KEY = 'aqlake.token';

/** Moves a first-load ?token= into sessionStorage and out of the address bar. */
export function adoptTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const listeners = new Set();
/** Called with every ApiError (the app shows a banner on 401). */
export function onApiError(fn) {
  listeners.add(fn);
}

const reachListeners = new Set();
/** Called with true/false whenever the server's reachability changes (the app shows a banner while it is down). */
export function onReachable(fn) {
  reachListeners.add(fn);
}
let reachable = true;
function setReachable(value) {
  if (value === reachable) return;
  reachable = value;
  for (const fn of reachListeners) fn(value);
}

/** @param {string} method @param {string} path @param {unknown} [body] */
async function send(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    // fetch rejects only when no answer came: the server is down or the network is gone.
    setReachable(false);
    const err = new ApiError(0, 'the aqlake server cannot be reached');
    for (const fn of listeners) fn(err);
    throw err;
  }
  setReachable(true);
  return res;
}

/** @param {string} method @param {string} path @param {unknown} [body] */
async function request(method, path, body) {
  const res = await send(method, path, body);
  const type = res.headers.get('content-type') ?? '';
  const payload = type.includes('application/json') ? await res.json() : await res.text();
  if (!res.ok) {
    const err = new ApiError(res.status, payload?.error ?? `HTTP ${res.status}`);
    for (const fn of listeners) fn(err);
    throw err;
  }
  return payload;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body ?? {}),
};

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Adds format=csv to an API path (keeping its other parameters). */
function csvPath(path) {
  const url = new URL(path, window.location.origin);
  url.searchParams.set('format', 'csv');
  return url.pathname + url.search;
}

/**
 * Downloads the API's CSV of `path` (with the token, which a plain link could not send) as `filename`.
 * @param {string} path @param {string} filename
 */
export async function downloadCsv(path, filename) {
  const res = await send('GET', csvPath(path));
  if (!res.ok) throw new ApiError(res.status, `HTTP ${res.status}`);
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
