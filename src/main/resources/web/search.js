// Searches as ad-hoc retriever executions (POST /v1/retrievers/execute): one feature_search
// stage over the collection's first vector index, the filters as its pre_filters, and facet
// counts over its candidates. Every value the person typed, dropped or clicked travels in
// `inputs` and is referenced from the stage ({{inputs.q}}, dynamic filter values), so that no
// text is ever read as a template or as part of the filter's structure.

import { post } from './api.js';

/** Candidates a search keeps (facets count over these); the grid shows the first PAGE. */
export const CANDIDATES = 200;
export const PAGE = 60;
/** Largest image accepted as a query, matching the server's default blob limit's order. */
export const MAX_QUERY_IMAGE_BYTES = 20 * 1024 * 1024;

/** The feature URI searched: the collection's first vector index. */
export function featureUri(collection) {
  const index = (collection.vector_indexes || [])[0];
  return index ? index.feature_uri : null;
}

/**
 * The execute request for a query ({kind: 'all'} | {kind: 'text', text} |
 * {kind: 'image', dataUrl} | {kind: 'document', documentId}), filters ([{field, value}])
 * and facet fields.
 */
export function request(collection, query, filters, facetFields) {
  const inputs = {};
  const conditions = filters.map((f, i) => {
    inputs[`f${i}`] = f.value;
    return { field: f.field, operator: 'eq', value: { type: 'dynamic', field: `inputs.f${i}` } };
  });
  const searches = [];
  const uri = featureUri(collection);
  if (query.kind !== 'all') {
    if (!uri) throw new Error(`collection ${collection.collection_name} has no vector index to search`);
    let q;
    if (query.kind === 'text') {
      inputs.q = query.text;
      q = { input_mode: 'text', value: '{{inputs.q}}' };
    } else if (query.kind === 'image') {
      inputs.img = query.dataUrl;
      q = { input_mode: 'content', value: '{{inputs.img}}' };
    } else {
      inputs.doc = query.documentId;
      q = { input_mode: 'document', document_ref: { document_id: '{{inputs.doc}}' } };
    }
    searches.push({ feature_uri: uri, query: q, top_k: CANDIDATES });
  }
  // Filter-only mode needs a pre-filter; "every document" is one that exists.
  const preFilters = conditions.length ? { AND: conditions } : { field: 'document_id', operator: 'exists', value: true };
  const parameters = { searches, final_top_k: CANDIDATES, facets: facetFields.map((field) => ({ field, limit: 12 })) };
  if (conditions.length || !searches.length) parameters.pre_filters = preFilters;
  return {
    collection_identifiers: [collection.collection_id],
    inputs,
    limit: PAGE,
    return_vectors: false,
    stages: [{ stage_name: 'search', config: { stage_id: 'feature_search', parameters } }],
  };
}

/** Runs a search; resolves to {documents, total, facets, millis}. */
export async function run(collection, query, filters, facetFields) {
  const started = performance.now();
  const res = await post('/v1/retrievers/execute', request(collection, query, filters, facetFields));
  return {
    documents: res.documents || [],
    total: res.pagination ? res.pagination.total : (res.documents || []).length,
    facets: res.facets || {},
    millis: Math.round(performance.now() - started),
  };
}

/** Reads a chosen or dropped file as a data: URI, refusing what is not a bounded image. */
export function readImage(file) {
  return new Promise((resolve, reject) => {
    if (!file.type.startsWith('image/')) return reject(new Error(`${file.name} is not an image (${file.type || 'unknown type'})`));
    if (file.size > MAX_QUERY_IMAGE_BYTES) return reject(new Error(`${file.name} is larger than ${MAX_QUERY_IMAGE_BYTES >> 20} MB`));
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(new Error(`cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}
