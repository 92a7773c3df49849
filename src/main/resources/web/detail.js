// A document's detail in a modal <dialog> (Escape closes it, focus returns to the card):
// its picture with the faces of its source image boxed (each box starts a face search), its
// metadata, description, OCR text and the other structured fields the extractor wrote.

import { post, enc } from './api.js';
import { h, fill, $, ownPath, show } from './dom.js';
import { pictureOf, captionOf } from './grid.js';

/** Fields shown elsewhere in the detail, or not meant for people (vectors are never asked for). */
const SHOWN = new Set(['metadata', 'description', 'ocr_text', 'thumbnail_url', 'face_crop_url', 'document_blobs', 'bbox',
  'landmarks', 'faces', 'score', 'source_width', 'source_height', 'quality_components']);
const MAX_SIBLINGS = 100;

const dialog = () => $('#detail');
let opener = null;

/** Wires the dialog once: the close button, and focus back to what opened it. */
export function initDetail() {
  $('#detail-close').addEventListener('click', () => dialog().close());
  dialog().addEventListener('close', () => {
    if (opener && opener.isConnected) opener.focus();
    opener = null;
  });
}

export function closeDetail() {
  if (dialog().open) dialog().close();
}

function fields(entries) {
  return h('dl', { class: 'fields' }, entries.flatMap(([k, v]) => [
    h('dt', {}, k),
    h('dd', {}, typeof v === 'object' && v !== null ? h('pre', {}, JSON.stringify(v, null, 2)) : show(v)),
  ]));
}

function section(title, ...content) {
  return h('section', { class: 'part' }, h('h3', {}, title), ...content);
}

/** The faces drawn on the source image: this document's and its siblings' (same source object). */
async function facesOf(collection, doc) {
  if (Array.isArray(doc.faces)) return doc.faces.map((f, i) => ({ ...f, document_id: null, current: i === 0, index: i }));
  if (!doc.bbox) return [];
  let siblings = [doc];
  if (doc.root_object_id) {
    try {
      const res = await post(`/v1/collections/${enc(collection.collection_id)}/documents/list?limit=${MAX_SIBLINGS}`, {
        filters: { field: 'root_object_id', operator: 'eq', value: doc.root_object_id }, return_vectors: false,
      });
      if (res.results && res.results.length) siblings = res.results;
    } catch {
      // the document's own face is still worth drawing
    }
  }
  return siblings.filter((d) => d.bbox).map((d) => ({
    bbox: d.bbox, document_id: d.document_id, current: d.document_id === doc.document_id, index: d.face_index ?? 0,
  }));
}

/**
 * Boxes over the picture, placed in percentages of the source image's size (the picture is
 * that image scaled, so the boxes follow it at any width). Without the size, no boxes.
 */
function boxes(doc, faces, findFace) {
  const w = doc.source_width;
  const ht = doc.source_height;
  if (!doc.thumbnail_url || !w || !ht) return [];
  return faces.map((f) => {
    const b = f.bbox;
    const box = h('button', {
      type: 'button', class: `face-box${f.current ? ' current' : ''}`, dataset: { face: f.index },
      'aria-label': `Face ${f.index + 1}${f.document_id ? ': find this person' : ''}`, disabled: !f.document_id,
      onclick: () => findFace(f.document_id, `face ${f.index + 1} of ${captionOf(doc)}`),
    }, h('span', {}, String(f.index + 1)));
    box.style.left = `${(100 * b.x1) / w}%`;
    box.style.top = `${(100 * b.y1) / ht}%`;
    box.style.width = `${(100 * (b.x2 - b.x1)) / w}%`;
    box.style.height = `${(100 * (b.y2 - b.y1)) / ht}%`;
    return box;
  });
}

/**
 * Opens the detail of doc. actions.similar(documentId, label) searches by a document's vector
 * (similar images; for a face, the same person).
 */
export async function openDetail(collection, doc, from, actions) {
  opener = from || null;
  const isFace = !!doc.bbox || Array.isArray(doc.faces);
  $('#detail-title').textContent = captionOf(doc);
  const picture = pictureOf(doc);
  const figure = h('div', { class: 'figure' }, picture ? h('img', { src: ownPath(doc.thumbnail_url) || picture, alt: `picture of ${captionOf(doc)}` }) : null);
  const find = (id, label) => { dialog().close(); actions.similar(id, label); };
  const info = [];
  info.push(h('div', { class: 'actions' },
    h('button', { type: 'button', id: 'find-similar', onclick: () => find(doc.document_id, isFace ? `the person in ${captionOf(doc)}` : captionOf(doc)) },
      isFace ? 'Find this person' : 'Find similar'),
    doc.face_crop_url && doc.thumbnail_url ? h('img', { src: ownPath(doc.face_crop_url), alt: 'the aligned face', width: 56, height: 56 }) : null));
  const metadata = Object.entries(doc.metadata || {});
  if (metadata.length) info.push(section('Metadata', fields(metadata)));
  if (doc.description) info.push(section('Description', h('p', { class: 'description' }, doc.description)));
  if (doc.ocr_text) info.push(section('Text in the image (OCR)', h('pre', { class: 'ocr' }, doc.ocr_text)));
  if (isFace && doc.bbox) {
    info.push(section('Face', fields([['bbox', doc.bbox], ['detection_score', doc.detection_score], ['quality_score', doc.quality_score]]
      .filter(([, v]) => v !== undefined))));
  }
  const rest = Object.entries(doc).filter(([k, v]) => !SHOWN.has(k) && v !== null && v !== undefined && !(Array.isArray(v) && v.length > 32 && typeof v[0] === 'number'));
  info.push(section('Fields', fields(rest)));
  fill($('#detail-body'), figure, h('div', { class: 'info' }, info));
  if (!dialog().open) dialog().showModal();
  $('#detail-close').focus();
  if (isFace) {
    const faces = await facesOf(collection, doc);
    figure.append(...boxes(doc, faces, find));
  }
}
