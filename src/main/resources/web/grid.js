// The results: a grid of thumbnails with scores, each a button that opens the document.

import { h, fill, ownPath, show } from './dom.js';

/** The picture a document is shown by: a face's crop, else its thumbnail. */
export function pictureOf(doc) {
  if (doc.bbox && doc.face_crop_url) return ownPath(doc.face_crop_url);
  return ownPath(doc.thumbnail_url || doc.face_crop_url || (doc.faces && doc.faces[0] && doc.faces[0].face_crop_url));
}

/** A short human name for a document: a name-like metadata field, else its id. */
export function captionOf(doc) {
  const m = doc.metadata || {};
  for (const k of ['title', 'name', 'filename', 'file', 'person', 'brand', 'label']) {
    if (m[k] !== undefined && m[k] !== null && typeof m[k] !== 'object') return show(m[k]);
  }
  const first = Object.values(m).find((v) => typeof v === 'string' && v.length <= 60);
  return first || doc.document_id;
}

export function renderGrid(container, documents, open) {
  fill(container, documents.map((doc, i) => {
    const caption = captionOf(doc);
    const src = pictureOf(doc);
    const score = typeof doc.score === 'number' ? doc.score.toFixed(3) : '';
    return h('li', {},
      h('button', {
        type: 'button', class: 'card', dataset: { documentId: doc.document_id },
        'aria-label': `${caption}${score ? `, score ${score}` : ''}: open the document`,
        onclick: (e) => open(doc, e.currentTarget),
      },
      src ? h('img', { src, alt: '', loading: i < 12 ? 'eager' : 'lazy' }) : h('img', { alt: '' }),
      h('span', { class: 'meta' }, h('span', { class: 'caption' }, caption), h('span', { class: 'score' }, score))));
  }));
}
