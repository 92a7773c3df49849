package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.blob.BlobStore;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.PhotoBucket;
import dev.loupe.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mixpeek's presigned upload flow against Loupe: create an upload, PUT the bytes to the URL it
 * returns (on Loupe itself, no API key), confirm, and find the object made from them.
 */
class UploadFlowTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path data;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Api shop(String namespace) {
        return PhotoBucket.create(server, namespace);
    }

    private static byte[] photo(String colour, long seed) {
        return Images.jpeg(Images.dominant(Images.BASIC.get(colour), 320, 240, seed));
    }

    private static JsonNode createUpload(Api api, byte[] bytes, String extra) {
        JsonNode u = api.ok("POST", "/v1/buckets/photos/uploads", """
                {"filename": "bag.jpg", "content_type": "image/jpeg", "blob_property": "image", "file_size_bytes": %d%s}"""
                .formatted(bytes.length, extra));
        OpenApi.assertConforms("UploadResponse", u);
        return u;
    }

    record Put(int status, String etag, String body) {
    }

    private static Put put(String url, byte[] bytes) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "image/jpeg")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)));
    }

    /** A PUT without Content-Length (chunked), so the server learns the size only as the bytes arrive. */
    private static Put putStreaming(String url, byte[] bytes) {
        return send(HttpRequest.newBuilder(URI.create(url))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))));
    }

    private static Put send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            return new Put(r.statusCode(), r.headers().firstValue("ETag").orElse(null), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theThreeStepsMakeAnObjectWhoseImageIsIngestedAndServed() {
        Api api = shop("up-flow");
        byte[] bytes = photo("red", 1);
        String sha = BlobStore.sha256(bytes);
        JsonNode u = createUpload(api, bytes, ", \"file_hash\": \"" + sha + "\", \"object_metadata\": {\"sku\": \"S-1\"}, \"metadata\": {\"source\": \"test\"}");
        assertEquals("PENDING", u.path("status").asText());
        assertFalse(u.path("is_duplicate").asBoolean());
        String url = u.path("presigned_url").asText();
        assertTrue(url.startsWith(server.base() + "/uploads/"), "the URL points at Loupe itself: " + url);

        Put put = put(url, bytes); // no API key: the signature allows it
        assertEquals(200, put.status(), put.body());
        assertTrue(put.etag() != null && put.etag().startsWith("\""), "an S3-style ETag: " + put.etag());
        assertEquals("IN_PROGRESS", api.ok("GET", "/v1/buckets/photos/uploads/" + u.path("upload_id").asText(), null).path("status").asText());

        JsonNode confirmed = api.ok("POST", "/v1/buckets/photos/uploads/" + u.path("upload_id").asText() + "/confirm",
                "{\"etag\": " + new com.fasterxml.jackson.databind.node.TextNode(put.etag()) + ", \"file_size_bytes\": " + bytes.length + "}");
        OpenApi.assertConforms("ConfirmUploadResponse", confirmed);
        assertEquals("COMPLETED", confirmed.path("status").asText(), confirmed.toString());
        assertEquals(sha, confirmed.path("file_hash").asText());
        String objectId = confirmed.path("object_id").asText();

        JsonNode object = api.ok("GET", "/v1/buckets/photos/objects/" + objectId, null);
        assertEquals("S-1", object.path("metadata").path("sku").asText(), "object_metadata became the object's metadata");
        JsonNode blob = object.path("blobs").get(0);
        assertEquals("image", blob.path("property").asText());
        assertEquals(sha, blob.path("details").path("hash").asText());
        assertEquals(bytes.length, blob.path("details").path("size_bytes").asLong());

        JsonNode collection = api.ok("POST", "/v1/collections", """
                {"collection_name": "uploaded", "source": {"type": "bucket", "bucket_ids": ["photos"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                   "input_mappings": {"image": "payload.image"}, "parameters": {"enable_thumbnails": true}}}""");
        JsonNode task = api.awaitTask(collection.path("task_id").asText(), Duration.ofSeconds(60));
        assertEquals("COMPLETED", task.path("status").asText(), task.toString());
        JsonNode docs = api.ok("POST", "/v1/collections/uploaded/documents/list", "{}").path("results");
        assertEquals(1, docs.size(), docs.toString());
        assertEquals(objectId, docs.get(0).path("root_object_id").asText(), docs.toString());
    }

    @Test
    void aTamperedUrlIsRefusedAndStoresNothing() throws IOException {
        Api api = shop("up-tamper");
        byte[] bytes = photo("blue", 2);
        String url = createUpload(api, bytes, "").path("presigned_url").asText();
        long before = blobCount();
        String bigger = url.replaceFirst("max_bytes=\\d+", "max_bytes=" + (bytes.length * 10L));
        assertEquals(403, put(bigger, bytes).status(), "a changed bound breaks the signature");
        String forged = url.replaceFirst("signature=[0-9a-f]+", "signature=" + "0".repeat(64));
        Put refused = put(forged, bytes);
        assertEquals(403, refused.status());
        assertTrue(refused.body().contains("signature"), refused.body());
        String later = url.replaceFirst("expires=(\\d+)", "expires=" + (Long.parseLong(url.replaceAll(".*expires=(\\d+).*", "$1")) + 86_400));
        assertEquals(403, put(later, bytes).status(), "a pushed-back expiry breaks the signature");
        assertEquals(before, blobCount(), "nothing was stored");
        assertEquals(200, put(url, bytes).status(), "the real URL still works");
    }

    @Test
    void aUrlIsSingleUse() {
        Api api = shop("up-reuse");
        byte[] bytes = photo("green", 3);
        String url = createUpload(api, bytes, "").path("presigned_url").asText();
        assertEquals(200, put(url, bytes).status());
        Put again = put(url, bytes);
        assertEquals(409, again.status(), again.body());
        assertTrue(again.body().contains("single-use"), again.body());
    }

    @Test
    void bytesBeyondTheDeclaredSizeAreRefusedWhileStreamingAndTheUrlStaysUsable() throws IOException {
        Api api = shop("up-oversize");
        byte[] bytes = photo("yellow", 4);
        JsonNode u = createUpload(api, bytes, "");
        String url = u.path("presigned_url").asText();
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        long before = blobCount();
        Put declared = put(url, longer);
        assertEquals(413, declared.status(), "refused on its Content-Length: " + declared.body());
        Put streamed = putStreaming(url, longer);
        assertEquals(413, streamed.status(), "refused as the byte too many arrives: " + streamed.body());
        Put shorter = put(url, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        assertEquals(422, shorter.status(), shorter.body());
        assertEquals(before, blobCount(), "no partial file was kept");
        assertEquals("PENDING", api.ok("GET", "/v1/buckets/photos/uploads/" + u.path("upload_id").asText(), null).path("status").asText());
        assertEquals(200, putStreaming(url, bytes).status(), "a failed PUT used nothing up");

        Api.Response tooBig = api.post("/v1/buckets/photos/uploads", """
                {"filename": "huge.jpg", "content_type": "image/jpeg", "blob_property": "image", "file_size_bytes": %d}""".formatted(21L << 20));
        assertEquals(413, tooBig.status(), "over --max-blob-bytes: " + tooBig.raw());
    }

    @Test
    void withoutADeclaredSizeTheServersBlobLimitBoundsTheStream() {
        Api api = shop("up-nosize");
        JsonNode u = api.ok("POST", "/v1/buckets/photos/uploads", """
                {"filename": "big.jpg", "content_type": "image/jpeg", "blob_property": "image"}""");
        assertTrue(u.path("presigned_url").asText().contains("max_bytes=" + (20L << 20)), u.toString());
        Put streamed = putStreaming(u.path("presigned_url").asText(), new byte[(20 << 20) + 1]);
        assertEquals(413, streamed.status(), streamed.body());
    }

    @Test
    void aConfirmWithTheWrongHashOrSizeFailsTheUpload() {
        Api api = shop("up-mismatch");
        byte[] bytes = photo("purple", 5);
        JsonNode wrongHash = createUpload(api, bytes, ", \"file_hash\": \"" + "ab".repeat(32) + "\"");
        assertEquals(200, put(wrongHash.path("presigned_url").asText(), bytes).status());
        Api.Response refused = api.post("/v1/buckets/photos/uploads/" + wrongHash.path("upload_id").asText() + "/confirm", "{}");
        assertEquals(422, refused.status(), refused.raw());
        assertEquals("file_hash", refused.body().path("error").path("details").path("field").asText(), refused.raw());
        JsonNode failed = api.ok("GET", "/v1/buckets/photos/uploads/" + wrongHash.path("upload_id").asText(), null);
        assertEquals("FAILED", failed.path("status").asText());
        assertTrue(failed.path("object_id").isNull(), "no object was made");

        byte[] other = photo("purple", 6);
        JsonNode wrongSize = createUpload(api, other, "");
        assertEquals(200, put(wrongSize.path("presigned_url").asText(), other).status());
        Api.Response sized = api.post("/v1/buckets/photos/uploads/" + wrongSize.path("upload_id").asText() + "/confirm",
                "{\"file_size_bytes\": " + (other.length + 7) + "}");
        assertEquals(422, sized.status(), sized.raw());
        assertEquals("file_size_bytes", sized.body().path("error").path("details").path("field").asText(), sized.raw());
        Api.Response etag = api.post("/v1/buckets/photos/uploads/" + wrongSize.path("upload_id").asText() + "/confirm", "{}");
        assertEquals(409, etag.status(), "a failed upload stays failed: " + etag.raw());
        assertEquals(0, api.ok("POST", "/v1/buckets/photos/objects/list", "{}").path("results").size());
    }

    @Test
    void confirmingBeforeThePutIsAConflictAndAnUnknownBucketIsNotFound() {
        Api api = shop("up-early");
        byte[] bytes = photo("white", 7);
        JsonNode u = createUpload(api, bytes, "");
        assertEquals(409, api.post("/v1/buckets/photos/uploads/" + u.path("upload_id").asText() + "/confirm", "{}").status());
        Api.Response missing = api.post("/v1/buckets/no-such-bucket/uploads", """
                {"filename": "bag.jpg", "content_type": "image/jpeg", "blob_property": "image"}""");
        assertEquals(404, missing.status(), missing.raw());
        Api.Response wrongProperty = api.post("/v1/buckets/photos/uploads", """
                {"filename": "bag.jpg", "content_type": "image/jpeg"}""");
        assertEquals(422, wrongProperty.status(), "blob_property defaults to 'bag', not in the schema: " + wrongProperty.raw());
        assertTrue(wrongProperty.raw().contains("image"), "the refusal lists the schema's properties: " + wrongProperty.raw());
        Api.Response traversal = api.post("/v1/buckets/photos/uploads", """
                {"filename": "../etc/passwd", "content_type": "image/jpeg", "blob_property": "image"}""");
        assertEquals(422, traversal.status(), traversal.raw());
        assertEquals(404, api.get("/v1/buckets/photos/uploads/upl_nothere").status());
        Api other = shop("up-early-other");
        assertEquals(404, other.get("/v1/buckets/photos/uploads/" + u.path("upload_id").asText()).status(), "uploads are per namespace");
    }

    @Test
    void aDuplicateByHashNeedsNoUploadAndOneFoundAtConfirmReusesTheObject() {
        Api api = shop("up-dupes");
        byte[] bytes = photo("red", 8);
        String sha = BlobStore.sha256(bytes);
        JsonNode first = createUpload(api, bytes, ", \"file_hash\": \"" + sha + "\"");
        assertEquals(200, put(first.path("presigned_url").asText(), bytes).status());
        String objectId = api.ok("POST", "/v1/buckets/photos/uploads/" + first.path("upload_id").asText() + "/confirm", "{}")
                .path("object_id").asText();

        JsonNode again = createUpload(api, bytes, ", \"file_hash\": \"" + sha + "\"");
        assertTrue(again.path("is_duplicate").asBoolean(), again.toString());
        assertTrue(again.path("presigned_url").isNull(), "no upload needed");
        assertEquals(first.path("upload_id").asText(), again.path("duplicate_of_upload_id").asText());
        assertEquals(objectId, again.path("object_id").asText());

        JsonNode distinct = createUpload(api, bytes, ", \"file_hash\": \"" + sha + "\", \"skip_duplicates\": false");
        assertFalse(distinct.path("is_duplicate").asBoolean(), "skip_duplicates false: a separate upload");
        assertFalse(distinct.path("presigned_url").isNull());

        JsonNode unhashed = createUpload(api, bytes, "");
        assertEquals(200, put(unhashed.path("presigned_url").asText(), bytes).status());
        JsonNode confirmed = api.ok("POST", "/v1/buckets/photos/uploads/" + unhashed.path("upload_id").asText() + "/confirm", "{}");
        assertEquals(objectId, confirmed.path("object_id").asText(), "found by the received bytes: " + confirmed);
        assertEquals(first.path("upload_id").asText(), confirmed.path("duplicate_of_upload_id").asText());
        assertEquals(1, api.ok("POST", "/v1/buckets/photos/objects/list", "{}").path("results").size(), "one object for one content");

        assertEquals(204, api.delete("/v1/buckets/photos/objects/" + objectId).status());
        JsonNode afterDelete = createUpload(api, bytes, ", \"file_hash\": \"" + sha + "\"");
        assertFalse(afterDelete.path("is_duplicate").asBoolean(), "an original whose object is gone no longer counts");
    }

    @Test
    void batchesCreateAndConfirmManyAndTheListCountsThem() {
        Api api = shop("up-batch");
        byte[] a = photo("blue", 9);
        byte[] b = photo("green", 10);
        JsonNode created = api.ok("POST", "/v1/buckets/photos/uploads/batch", """
                {"uploads": [{"filename": "a.jpg", "content_type": "image/jpeg", "blob_property": "image", "object_metadata": {"sku": "A"}},
                             {"filename": "b.jpg", "content_type": "image/jpeg", "blob_property": "image"}],
                 "shared_metadata": {"campaign": "spring"}, "shared_object_metadata": {"sku": "shared", "brand": "acme"}}""");
        OpenApi.assertConforms("BatchUploadResponse", created);
        assertEquals(2, created.path("total").asInt());
        JsonNode ua = created.path("uploads").get(0);
        JsonNode ub = created.path("uploads").get(1);
        assertEquals("spring", ub.path("metadata").path("campaign").asText());
        assertEquals("A", ua.path("object_metadata").path("sku").asText(), "an upload's own metadata wins");
        assertEquals("shared", ub.path("object_metadata").path("sku").asText());
        assertEquals(200, put(ua.path("presigned_url").asText(), a).status());
        assertEquals(200, put(ub.path("presigned_url").asText(), b).status());

        JsonNode confirmed = api.ok("POST", "/v1/buckets/photos/uploads/confirm/batch", """
                {"confirmations": [{"upload_id": "%s", "file_size_bytes": %d}, {"upload_id": "%s"}]}"""
                .formatted(ua.path("upload_id").asText(), a.length, ub.path("upload_id").asText()));
        OpenApi.assertConforms("BatchConfirmResponse", confirmed);
        assertEquals(2, confirmed.path("confirmations_count").asInt());
        assertEquals("COMPLETED", api.awaitTask(confirmed.path("task_id").asText(), Duration.ofSeconds(10)).path("status").asText());
        assertEquals(2, api.ok("POST", "/v1/buckets/photos/objects/list", "{}").path("results").size());

        JsonNode pending = createUpload(api, a, ", \"skip_duplicates\": false");
        JsonNode list = api.ok("POST", "/v1/buckets/photos/uploads/list", "{\"limit\": 2}");
        OpenApi.assertConforms("ListUploadsResponse", list);
        assertEquals(3, list.path("stats").path("total_uploads").asInt());
        assertEquals(2, list.path("stats").path("uploads_by_status").path("COMPLETED").asInt());
        assertEquals(1, list.path("stats").path("uploads_by_status").path("PENDING").asInt());
        assertEquals(pending.path("upload_id").asText(), list.path("results").get(0).path("upload_id").asText(), "newest first");
        assertEquals(2, list.path("results").size());
        JsonNode filtered = api.ok("POST", "/v1/buckets/photos/uploads/list", "{\"filters\": {\"status\": \"COMPLETED\"}, \"search\": \"b.jpg\"}");
        assertEquals(1, filtered.path("results").size(), filtered.toString());
        assertEquals(ub.path("upload_id").asText(), filtered.path("results").get(0).path("upload_id").asText());

        Api.Response mismatch = api.post("/v1/buckets/photos/uploads/confirm/batch", """
                {"confirmations": [{"upload_id": "%s", "file_size_bytes": 1}]}""".formatted(pending.path("upload_id").asText()));
        assertEquals(409, mismatch.status(), "no bytes yet: " + mismatch.raw());
    }

    @Test
    void aPendingUploadCanBeCanceledButACompletedOneCannot() {
        Api api = shop("up-cancel");
        byte[] bytes = photo("yellow", 11);
        JsonNode u = createUpload(api, bytes, "");
        String id = u.path("upload_id").asText();
        assertEquals(204, api.delete("/v1/buckets/photos/uploads/" + id).status());
        assertEquals("CANCELED", api.ok("GET", "/v1/buckets/photos/uploads/" + id, null).path("status").asText());
        assertEquals(409, put(u.path("presigned_url").asText(), bytes).status(), "its URL stopped working");

        JsonNode done = createUpload(api, bytes, "");
        assertEquals(200, put(done.path("presigned_url").asText(), bytes).status());
        api.ok("POST", "/v1/buckets/photos/uploads/" + done.path("upload_id").asText() + "/confirm", "{}");
        assertEquals(409, api.delete("/v1/buckets/photos/uploads/" + done.path("upload_id").asText()).status());
    }

    @Test
    void anUploadMadeWithoutAnObjectIsNamedByAnObjectsBlob() {
        Api api = shop("up-advanced");
        byte[] bytes = photo("white", 12);
        JsonNode u = createUpload(api, bytes, ", \"create_object_on_confirm\": false");
        assertEquals(200, put(u.path("presigned_url").asText(), bytes).status());
        JsonNode confirmed = api.ok("POST", "/v1/buckets/photos/uploads/" + u.path("upload_id").asText() + "/confirm", "{}");
        assertTrue(confirmed.path("object_id").isNull(), confirmed.toString());
        JsonNode object = api.ok("POST", "/v1/buckets/photos/objects", """
                {"blobs": [{"property": "image", "type": "image", "upload_id": "%s"}], "metadata": {"sku": "X"}}"""
                .formatted(u.path("upload_id").asText()));
        assertEquals(BlobStore.sha256(bytes), object.path("blobs").get(0).path("details").path("hash").asText());
        JsonNode pending = createUpload(api, bytes, ", \"skip_duplicates\": false");
        Api.Response unconfirmed = api.post("/v1/buckets/photos/objects", """
                {"blobs": [{"property": "image", "type": "image", "upload_id": "%s"}]}""".formatted(pending.path("upload_id").asText()));
        assertEquals(422, unconfirmed.status(), unconfirmed.raw());
        assertNotEquals(-1, unconfirmed.raw().indexOf("confirm"), unconfirmed.raw());
    }

    @Test
    void behindAProxyThePresignedUrlNamesThePublicUrl(@TempDir Path dir) {
        try (TestServer proxied = TestServer.withFlags(dir, "--public-url", "https://photos.example.com")) {
            Api api = PhotoBucket.create(proxied, "up-proxied");
            JsonNode u = api.ok("POST", "/v1/buckets/photos/uploads", """
                    {"filename": "bag.jpg", "content_type": "image/jpeg", "blob_property": "image"}""");
            assertTrue(u.path("presigned_url").asText().startsWith("https://photos.example.com/uploads/" + u.path("upload_id").asText() + "?"),
                    u.path("presigned_url").asText());
        }
    }

    private static long blobCount() throws IOException {
        try (Stream<Path> files = Files.walk(server.dataDir().resolve("blobs"))) {
            return files.filter(Files::isRegularFile).count();
        }
    }
}
