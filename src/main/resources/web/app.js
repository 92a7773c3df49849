// The search page's wiring: sign-in, the namespace and collection pickers, the search form
// (text, or an image chosen or dropped), filters and facets, the grid, the detail, the people,
// the ingestion panel and the upload box. Each view lives in its own module; this one holds
// the page's state and decides when each view is redrawn.

import { session, post, get, enc, ApiError } from './api.js';
import { $, h, fill } from './dom.js';
import { signIn } from './signin.js';
import * as search from './search.js';
import { facetFields, renderFacets, renderFilters } from './facets.js';
import { renderGrid } from './grid.js';
import { initDetail, openDetail, closeDetail } from './detail.js';
import { renderPeople } from './people.js';
import { TaskWatcher } from './tasks.js';
import { uploadFiles, target } from './upload.js';

const SAMPLE = 100;

const state = {
  collection: null,
  fields: [],
  filters: [],
  query: { kind: 'all' },
  image: null,
  seq: 0,
};

const tasks = new TaskWatcher($('#tasks'), () => {
  if (state.collection) refreshFields().then(runSearch).catch(showError);
});

function showError(e) {
  if (e instanceof ApiError && e.status === 401) return void signOut();
  $('#error').textContent = e.message;
}

async function enter() {
  $('#scope').hidden = false;
  $('#workspace').hidden = false;
  try {
    await loadNamespaces();
    $('#query').focus();
  } catch (e) {
    showError(e);
  }
}

async function signOut() {
  session.signOut();
  tasks.stop();
  closeDetail();
  state.collection = null;
  fill($('#grid'));
  fill($('#tasks'));
  await signIn();
  await enter();
}

async function loadNamespaces() {
  const res = await post('/v1/namespaces/list?limit=1000', {});
  const names = (res.results || []).map((n) => n.namespace_name);
  const select = $('#namespace');
  fill(select, names.map((n) => h('option', { value: n }, n)));
  const stored = session.namespace();
  const chosen = names.includes(stored) ? stored : names.includes('default') ? 'default' : names[0];
  if (!chosen) throw new Error('this key may use no namespace');
  select.value = chosen;
  session.useNamespace(chosen);
  tasks.start();
  await loadCollections();
}

async function loadCollections() {
  const res = await post('/v1/collections/list?limit=1000', {});
  const collections = res.results || [];
  const select = $('#collection');
  fill(select, collections.map((c) => h('option', { value: c.collection_id }, c.collection_name)));
  if (!collections.length) {
    state.collection = null;
    fill($('#grid'));
    fill($('#facets'));
    $('#people-box').hidden = true;
    $('#status').textContent = 'This namespace has no collections yet.';
    return;
  }
  const stored = session.collection();
  const chosen = collections.some((c) => c.collection_id === stored) ? stored : collections[0].collection_id;
  select.value = chosen;
  await useCollection(chosen);
}

async function useCollection(id) {
  session.useCollection(id);
  closeDetail();
  state.collection = await get(`/v1/collections/${enc(id)}`);
  state.filters = [];
  state.query = { kind: 'all' };
  clearImage();
  $('#query').value = '';
  const t = target(state.collection);
  $('#upload-button').disabled = !t;
  $('#upload-bucket').textContent = t ? `bucket ${t.bucket}` : 'this collection (it has no source bucket)';
  if (t) get(`/v1/buckets/${enc(t.bucket)}`).then((b) => { $('#upload-bucket').textContent = `bucket ${b.bucket_name}`; }).catch(() => {});
  await refreshFields();
  await runSearch();
}

/** Re-reads which fields are worth facets, and the people, from the collection's documents. */
async function refreshFields() {
  const c = state.collection;
  const sample = await post(`/v1/collections/${enc(c.collection_id)}/documents/list?limit=${SAMPLE}`, { return_vectors: false });
  state.fields = facetFields(sample.results || []);
  renderPeople($('#people-box'), $('#people'), c, (cluster) => {
    state.filters = [{ field: 'cluster_id', value: cluster }];
    state.query = { kind: 'all' };
    runSearch();
  }).catch(showError);
}

function describe(query) {
  switch (query.kind) {
    case 'text': return `“${query.text}”`;
    case 'image': return `the image ${query.name}`;
    case 'document': return query.label;
    default: return 'every document';
  }
}

async function runSearch() {
  const c = state.collection;
  if (!c) return;
  const seq = ++state.seq;
  $('#error').textContent = '';
  $('#status').textContent = 'Searching…';
  try {
    const r = await search.run(c, state.query, state.filters, state.fields);
    if (seq !== state.seq) return;
    renderGrid($('#grid'), r.documents, (doc, from) => openDetail(c, doc, from, { similar }).catch(showError));
    renderFacets($('#facets'), r.facets, state.fields, state.filters, toggleFilter);
    renderFilters($('#active-filters'), state.filters, (f) => {
      state.filters = state.filters.filter((x) => x !== f);
      runSearch();
    });
    const shown = r.documents.length;
    $('#status').textContent = `${shown === r.total ? shown : `${shown} of ${r.total}`} result${r.total === 1 ? '' : 's'} for ${describe(state.query)}`
      + `${state.filters.length ? `, filtered` : ''} (${r.millis} ms)`;
  } catch (e) {
    if (seq !== state.seq) return;
    $('#status').textContent = '';
    showError(e);
  }
}

function toggleFilter(field, value) {
  const same = state.filters.find((f) => f.field === field && JSON.stringify(f.value) === JSON.stringify(value));
  state.filters = state.filters.filter((f) => f.field !== field);
  if (!same) state.filters.push({ field, value });
  runSearch();
}

function similar(documentId, label) {
  state.query = { kind: 'document', documentId, label };
  clearImage();
  $('#query').value = '';
  // The card that opened the detail is about to be replaced: the results take the focus.
  $('#results').focus();
  runSearch();
}

function clearImage() {
  if (state.image) URL.revokeObjectURL(state.image.preview);
  state.image = null;
  $('#image-chip').hidden = true;
  $('#drop-hint').hidden = false;
  $('#image-input').value = '';
}

async function chooseImage(file) {
  try {
    const dataUrl = await search.readImage(file);
    clearImage();
    state.image = { dataUrl, name: file.name, preview: URL.createObjectURL(file) };
    $('#image-preview').src = state.image.preview;
    $('#image-name').textContent = file.name;
    $('#image-chip').hidden = false;
    $('#drop-hint').hidden = true;
    state.query = { kind: 'image', dataUrl, name: file.name };
    await runSearch();
  } catch (e) {
    showError(e);
  }
}

function wire() {
  $('#signout').addEventListener('click', signOut);
  $('#namespace').addEventListener('change', (e) => {
    session.useNamespace(e.target.value);
    tasks.start();
    loadCollections().catch(showError);
  });
  $('#collection').addEventListener('change', (e) => useCollection(e.target.value).catch(showError));
  $('#search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('#query').value.trim();
    if (state.image) state.query = { kind: 'image', dataUrl: state.image.dataUrl, name: state.image.name };
    else state.query = text ? { kind: 'text', text } : { kind: 'all' };
    runSearch();
  });
  $('#image-input').addEventListener('change', (e) => {
    if (e.target.files[0]) chooseImage(e.target.files[0]);
  });
  $('#image-clear').addEventListener('click', () => {
    clearImage();
    $('#image-input').focus();
  });
  const drop = $('#search-form');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    $('#drop').classList.add('over');
  });
  drop.addEventListener('dragleave', () => $('#drop').classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    $('#drop').classList.remove('over');
    const file = e.dataTransfer.files[0];
    if (file) chooseImage(file);
  });
  $('#upload-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('#upload-files');
    const status = $('#upload-status');
    const button = $('#upload-button');
    button.disabled = true;
    try {
      const r = await uploadFiles(state.collection, [...input.files], (text) => { status.textContent = text; });
      status.textContent = `Uploaded ${r.uploaded}${r.duplicates ? `, ${r.duplicates} already there` : ''}`
        + `${r.failed.length ? `; failed: ${r.failed.join('; ')}` : ''}${r.taskId ? '. Processing…' : '.'}`;
      input.value = '';
      if (r.taskId) tasks.poke(r.taskId);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return void signOut();
      status.textContent = `Upload failed: ${err.message}`;
    } finally {
      button.disabled = !target(state.collection || {});
    }
  });
}

async function start() {
  initDetail();
  wire();
  if (!session.key()) await signIn();
  await enter();
}

start();
