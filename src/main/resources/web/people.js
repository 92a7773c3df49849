// The people of a face collection: its documents grouped by the cluster_id a cluster execution
// wrote on them (documents/list with group_by), named by the execution's labels, each with a
// face to recognise it by; choosing one filters the results to that person's faces.

import { post, get, enc } from './api.js';
import { h, fill, ownPath } from './dom.js';

const MAX_PEOPLE = 60;

async function labels(collectionId) {
  const out = new Map();
  const list = await post('/v1/clusters/list?limit=100', {});
  for (const c of list.results || []) {
    if (!(c.input_collections || []).includes(collectionId) || !c.last_execution_task_id) continue;
    try {
      const run = await get(`/v1/clusters/${enc(c.cluster_id)}/executions`);
      for (const centroid of run.centroids || []) out.set(centroid.cluster_id, centroid.label || null);
    } catch {
      // an execution that failed or was replaced leaves the ids unnamed
    }
  }
  return out;
}

/** Draws the people of collection into list (and shows box) when its faces are clustered. */
export async function renderPeople(box, list, collection, choose) {
  box.hidden = true;
  fill(list);
  if ((collection.feature_extractor || {}).feature_extractor_name !== 'face_identity_extractor') return;
  const res = await post(`/v1/collections/${enc(collection.collection_id)}/documents/list?limit=${MAX_PEOPLE}`,
    { group_by: 'cluster_id', filters: { field: 'cluster_id', operator: 'exists', value: true }, return_vectors: false });
  const groups = (res.groups || []).filter((g) => typeof g.group_key === 'string');
  if (!groups.length) return;
  const names = await labels(collection.collection_id);
  fill(list, groups.map((g, i) => {
    const face = (g.documents || [])[0] || {};
    const name = names.get(g.group_key) || `Person ${i + 1}`;
    const src = ownPath(face.face_crop_url || face.thumbnail_url);
    return h('li', {}, h('button', {
      type: 'button', class: 'person', dataset: { cluster: g.group_key },
      'aria-label': `${name}, ${g.count} face${g.count === 1 ? '' : 's'}: show them`, onclick: () => choose(g.group_key),
    }, src ? h('img', { src, alt: '' }) : null, h('span', {}, name), h('span', { class: 'hint' }, String(g.count))));
  }));
  box.hidden = false;
}
