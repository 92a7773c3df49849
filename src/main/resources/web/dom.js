// Small DOM helpers shared by the views. No framework: each view builds its nodes with h()
// and replaces its container's children when its data changes.

/** An element: h('button', {type: 'button', onclick: f}, 'text', child…). */
export function h(tag, attrs = {}, ...children) {
  const el = tag.startsWith('svg:')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Replaces the children of el. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/**
 * The path of a URL Loupe handed out for one of its own files (thumbnails, face crops, upload
 * URLs). Those are absolute on the address the request reached (or --public-url), which may be
 * spelled differently from the page's origin (127.0.0.1 against localhost): same-origin paths
 * keep them within the page's Content-Security-Policy.
 */
export function ownPath(url) {
  if (!url) return null;
  const u = new URL(url, location.href);
  return u.pathname + u.search;
}

/** A short, readable form of a JSON value for lists and captions. */
export function show(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
