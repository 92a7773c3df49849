// The upload box, on Mixpeek's presigned flow: for each file, POST /v1/buckets/{b}/uploads
// (CreateUploadRequest, with create_object_on_confirm and the blob property the collection
// reads), PUT the bytes to the presigned URL it returns, POST …/uploads/{id}/confirm; then one
// batch of the new objects, submitted, whose task the ingestion panel follows.

import { post, enc } from './api.js';
import { ownPath } from './dom.js';

export const MAX_FILES = 200;
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** Where uploads for collection go: its source bucket and the blob property it reads, or null. */
export function target(collection) {
  const source = collection.source || {};
  const bucket = (source.bucket_ids || [])[0] || source.bucket_id;
  if (source.type !== 'bucket' || !bucket) return null;
  const mappings = (collection.feature_extractor || {}).input_mappings || {};
  const path = Object.values(mappings).find((v) => typeof v === 'string');
  const property = path ? path.replace(/^payload\./, '') : null;
  return property && /^[a-zA-Z0-9_]+$/.test(property) ? { bucket, property } : null;
}

async function sha256(file) {
  // crypto.subtle exists only in secure contexts (https, localhost); without it the server hashes.
  if (!(globalThis.crypto && crypto.subtle)) return null;
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function uploadOne(t, file) {
  const hash = await sha256(file);
  const upload = await post(`/v1/buckets/${enc(t.bucket)}/uploads`, {
    filename: file.name,
    content_type: file.type,
    file_size_bytes: file.size,
    ...(hash ? { file_hash: hash } : {}),
    skip_duplicates: true,
    create_object_on_confirm: true,
    blob_property: t.property,
  });
  if (upload.is_duplicate || upload.skipped_unique_key || !upload.presigned_url) {
    return { duplicate: true, objectId: upload.existing_object_id || upload.object_id || null };
  }
  // The presigned URL points at Loupe itself; its path keeps the PUT on the page's origin.
  const put = await fetch(ownPath(upload.presigned_url), { method: 'PUT', headers: { 'Content-Type': file.type }, body: file });
  if (!put.ok) {
    let message = `the upload of ${file.name} was refused (${put.status})`;
    try { message = (await put.json()).error.message || message; } catch { /* not JSON */ }
    throw new Error(message);
  }
  const confirmed = await post(`/v1/buckets/${enc(t.bucket)}/uploads/${enc(upload.upload_id)}/confirm`, {
    file_size_bytes: file.size, ...(put.headers.get('ETag') ? { etag: put.headers.get('ETag') } : {}),
  });
  return { duplicate: false, objectId: confirmed.object_id || upload.object_id };
}

/**
 * Uploads files into the collection's bucket and submits them as one batch; report(text) is
 * told how it goes. Resolves to {taskId, uploaded, duplicates, failed}.
 */
export async function uploadFiles(collection, files, report) {
  const t = target(collection);
  if (!t) throw new Error(`collection ${collection.collection_name} does not read images from a bucket's blob property`);
  if (!files.length) throw new Error('choose at least one image');
  if (files.length > MAX_FILES) throw new Error(`at most ${MAX_FILES} files at once`);
  for (const f of files) {
    if (!f.type.startsWith('image/')) throw new Error(`${f.name} is not an image (${f.type || 'unknown type'})`);
    if (f.size > MAX_FILE_BYTES) throw new Error(`${f.name} is larger than ${MAX_FILE_BYTES >> 20} MB`);
  }
  const objectIds = [];
  let duplicates = 0;
  const failed = [];
  for (const [i, file] of files.entries()) {
    report(`Uploading ${i + 1} of ${files.length}: ${file.name}`);
    try {
      const r = await uploadOne(t, file);
      if (r.duplicate) duplicates++;
      else if (r.objectId) objectIds.push(r.objectId);
    } catch (e) {
      failed.push(`${file.name}: ${e.message}`);
    }
  }
  let taskId = null;
  if (objectIds.length) {
    const batch = await post(`/v1/buckets/${enc(t.bucket)}/batches`, { object_ids: objectIds });
    const submitted = await post(`/v1/buckets/${enc(t.bucket)}/batches/${enc(batch.batch_id)}/submit`, {});
    taskId = submitted.task_id;
  }
  return { taskId, uploaded: objectIds.length, duplicates, failed };
}
