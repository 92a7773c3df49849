// Loupe's API as the page uses it: the signed-in key and chosen namespace (sessionStorage, so
// they last as long as the tab and never reach another tab or the disk's long-term storage),
// and one call() that sends them and turns Mixpeek's error shape into an ApiError.

const KEY = 'loupe.apiKey';
const NAMESPACE = 'loupe.namespace';
const COLLECTION = 'loupe.collection';

export class ApiError extends Error {
  constructor(status, message, type) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export const session = {
  key: () => sessionStorage.getItem(KEY),
  namespace: () => sessionStorage.getItem(NAMESPACE),
  collection: () => sessionStorage.getItem(COLLECTION),
  signIn(key) { sessionStorage.setItem(KEY, key); },
  useNamespace(ns) { sessionStorage.setItem(NAMESPACE, ns); },
  useCollection(c) { sessionStorage.setItem(COLLECTION, c); },
  signOut() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(NAMESPACE); sessionStorage.removeItem(COLLECTION); },
};

/** Sends a request with the session's key and namespace; resolves to the parsed JSON body. */
export async function call(method, path, body, key = session.key()) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  const ns = session.namespace();
  if (ns) headers['X-Namespace'] = ns;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  // Relative to the page, so that a proxy serving Loupe under a path prefix serves the API there too.
  const res = await fetch(path.replace(/^\//, ''), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = {};
  }
  if (!res.ok) {
    throw new ApiError(res.status, data?.error?.message || `${method} ${path} answered ${res.status}`, data?.error?.type);
  }
  return data;
}

export const post = (path, body = {}) => call('POST', path, body);
export const get = (path) => call('GET', path);
export const enc = encodeURIComponent;
