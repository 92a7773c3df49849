package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.loupe.blob.BlobStore;
import dev.loupe.testing.Api;
import dev.loupe.testing.Images;
import dev.loupe.testing.PhotoBucket;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.engines.S3Server;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loupe started with {@code --blob-store s3} against S3Proxy: uploads and ingested images land
 * in the bucket, not the data directory, and a second Loupe with a data directory of its own
 * serves the thumbnails the first one wrote, since every node reads the same bucket.
 */
class S3BlobStoreFlowTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String BUCKET = "loupe-shared";
    @TempDir
    static Path dir;
    private static S3Server s3;
    private static TestServer first;
    private static TestServer second;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start(dir.resolve("s3"));
        s3.createBucket(BUCKET);
        Path keys = s3.keyFile(Files.createDirectories(dir.resolve("keys")));
        first = TestServer.withFlags(dir.resolve("node-1"), s3.flags(BUCKET, keys).toArray(String[]::new));
        second = TestServer.withFlags(dir.resolve("node-2"), s3.flags(BUCKET, keys).toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {second, first, s3}) {
            try {
                if (c != null) c.close();
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }

    @Test
    void anIngestedBatchsThumbnailsAreInTheBucketAndServedByEitherNode() throws Exception {
        Api api = first.admin(null);
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"img\": {\"type\": \"image\"}}}}");
        List<String> colours = List.of("red", "green", "blue");
        for (int i = 0; i < colours.size(); i++) {
            String image = Images.dataUri(Images.png(Images.dominant(Images.BASIC.get(colours.get(i)), 64, 48, i)), "image/png");
            api.ok("POST", "/v1/buckets/b/objects", "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + image + "\"}]}");
        }
        JsonNode c = api.ok("POST", "/v1/collections", """
                {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
        assertEquals("COMPLETED", api.awaitTask(c.path("task_id").asText(), Duration.ofSeconds(60)).path("status").asText());
        JsonNode docs = api.ok("POST", "/v1/collections/c/documents/list", "{}").path("results");
        assertEquals(3, docs.size(), docs.toString());

        List<String> thumbnails = new ArrayList<>();
        for (JsonNode d : docs) thumbnails.add(d.path("thumbnail_url").asText());
        for (String url : thumbnails) {
            assertTrue(url.startsWith(first.base() + "/thumbnails/"), url);
            String file = url.substring(url.lastIndexOf('/') + 1);
            Path object = s3.baseDir().resolve(BUCKET).resolve("thumbnails").resolve(file.substring(0, 2)).resolve(file);
            assertTrue(Files.isRegularFile(object), "the thumbnail is an object of the bucket: " + object);

            byte[] fromFirst = get(url);
            byte[] fromSecond = get(second.base() + "/thumbnails/" + file);
            assertArrayEquals(Files.readAllBytes(object), fromFirst);
            assertArrayEquals(fromFirst, fromSecond, "the node that did not make it serves it too");
        }
        assertFalse(Files.exists(first.dataDir().resolve("thumbnails")), "nothing is kept in the data directory");
        assertFalse(Files.exists(first.dataDir().resolve("blobs")), "nothing is kept in the data directory");
        assertEquals(404, status(second.base() + "/thumbnails/" + BlobStore.sha256(new byte[] {1}) + ".jpg"));
    }

    @Test
    void anUploadIsStreamedIntoTheBucketUnderItsHash() throws Exception {
        Api api = PhotoBucket.create(first, "s3-upload");
        byte[] bytes = Images.jpeg(Images.dominant(Images.BASIC.get("yellow"), 320, 240, 5));
        String sha = BlobStore.sha256(bytes);
        JsonNode u = api.ok("POST", "/v1/buckets/photos/uploads", """
                {"filename": "bag.jpg", "content_type": "image/jpeg", "blob_property": "image", "file_size_bytes": %d}""".formatted(bytes.length));
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(u.path("presigned_url").asText())).header("Content-Type", "image/jpeg")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        JsonNode confirmed = api.ok("POST", "/v1/buckets/photos/uploads/" + u.path("upload_id").asText() + "/confirm",
                "{\"etag\": " + new TextNode(put.headers().firstValue("ETag").orElseThrow()) + ", \"file_size_bytes\": " + bytes.length + "}");
        assertEquals("COMPLETED", confirmed.path("status").asText(), confirmed.toString());

        Path object = s3.baseDir().resolve(BUCKET).resolve("blobs").resolve(sha.substring(0, 2)).resolve(sha + ".bin");
        assertArrayEquals(bytes, Files.readAllBytes(object));
        try (var spooled = Files.list(first.dataDir().resolve("blob-spool"))) {
            assertEquals(0, spooled.count(), "the spooled copy is gone once uploaded");
        }
    }

    @Test
    void aLoupeWhoseBucketIsMissingDoesNotStartAndSaysWhy() throws Exception {
        Path keys = s3.keyFile(Files.createDirectories(dir.resolve("keys-missing")));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> TestServer.withFlags(dir.resolve("node-3"), s3.flags("no-such-bucket", keys).toArray(String[]::new)).close());
        assertTrue(e.getMessage().contains("S3 bucket no-such-bucket") && e.getMessage().contains("404"), e.getMessage());
        assertFalse(e.getMessage().contains(S3Server.SECRET_ACCESS_KEY), e.getMessage());
    }

    private static byte[] get(String url) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), url);
        assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElse(""));
        return r.body();
    }

    private static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
