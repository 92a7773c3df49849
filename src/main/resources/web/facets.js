// Filters and facets built from the collection's fields: the metadata keys and short scalar
// fields its documents carry (read from a sample of them, since bucket metadata needs no
// schema), counted by the search over its candidates; a value clicked becomes an eq filter.

import { h, fill, show } from './dom.js';

/** Fields that identify or time documents, or hold numbers nobody filters on by clicking. */
const NOT_FACETS = new Set(['document_id', 'collection_id', 'root_object_id', 'root_bucket_id', 'source_object_id',
  'source_document_id', 'object_id', 'bucket_id', 'created_at', 'updated_at', 'processing_time_ms', 'source_type',
  'key_prefix', 'face_index', 'detection_score', 'quality_score', 'score', 'description', 'ocr_text', 'source_width', 'source_height',
  // The people panel shows clusters by their faces; their ids mean nothing to read.
  'cluster_id']);
const MAX_FACETS = 8;
const MAX_VALUE_LENGTH = 80;
const MAX_DISTINCT = 30;

function scalar(v) {
  return v !== null && (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number');
}

/** The fields worth a facet: short strings and booleans that repeat but differ (numbers are ranges, not facets), metadata first. */
export function facetFields(sample) {
  const values = new Map();
  const note = (field, v) => {
    if (!scalar(v)) return;
    if (!values.has(field)) values.set(field, { distinct: new Set(), tooLong: false, count: 0 });
    const s = values.get(field);
    s.count++;
    s.distinct.add(String(v));
    if (String(v).length > MAX_VALUE_LENGTH) s.tooLong = true;
  };
  for (const doc of sample) {
    for (const [k, v] of Object.entries(doc.metadata || {})) note(`metadata.${k}`, v);
    for (const [k, v] of Object.entries(doc)) {
      if (NOT_FACETS.has(k) || k.endsWith('_url') || k === 'metadata') continue;
      if (typeof v === 'number') continue;
      note(k, v);
    }
  }
  const fields = [...values.entries()]
    // One value everywhere tells nothing; a value per document (names, ids) is no facet either.
    .filter(([, s]) => !s.tooLong && s.distinct.size >= 2 && s.distinct.size <= MAX_DISTINCT && s.distinct.size < s.count)
    .map(([f]) => f);
  fields.sort((a, b) => (b.startsWith('metadata.') - a.startsWith('metadata.')) || a.localeCompare(b));
  return fields.slice(0, MAX_FACETS);
}

const label = (field) => field.replace(/^metadata\./, '');

/** Draws the facet counts; choose(field, value) toggles that value's filter. */
export function renderFacets(container, facets, fields, filters, choose) {
  const groups = fields.filter((f) => (facets[f] || []).length).map((field) => {
    const active = filters.find((x) => x.field === field);
    return h('fieldset', { class: 'facet', dataset: { field } },
      h('legend', {}, label(field)),
      h('div', { class: 'facet-values' }, facets[field].map(({ value, count }) => {
        const on = active !== undefined && show(active.value) === show(value);
        return h('button', {
          type: 'button', 'aria-pressed': on ? 'true' : 'false', dataset: { value: show(value) },
          'aria-label': `${label(field)}: ${show(value)}, ${count} document${count === 1 ? '' : 's'}`,
          onclick: () => choose(field, value),
        }, `${show(value)} (${count})`);
      })));
  });
  fill(container, groups.length ? groups : h('p', { class: 'hint' }, 'No fields to filter on in these results.'));
}

/** Draws the active filters as chips that remove themselves. */
export function renderFilters(container, filters, remove) {
  fill(container, filters.map((f) => h('li', {},
    h('button', { type: 'button', class: 'filter', 'aria-label': `Remove the filter ${label(f.field)} = ${show(f.value)}`, onclick: () => remove(f) },
      `${label(f.field)} = ${show(f.value)} ×`))));
}
