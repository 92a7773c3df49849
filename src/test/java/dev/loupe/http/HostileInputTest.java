package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed requests and hostile images: every one is answered with a 4xx in Mixpeek's
 * error shape or recorded as a failed object with its reason, and the service stays up.
 */
class HostileInputTest {
    private static final long MAX_BLOB = 2L << 20;
    @TempDir
    static Path data;
    private static TestServer server;
    private static ImageHost host;
    private static Api api;

    @BeforeAll
    static void start() {
        server = new TestServer(data, MAX_BLOB, 40_000_000L);
        host = new ImageHost();
        api = server.admin(null);
        api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {\"properties\": {\"img\": {\"type\": \"image\"}}}}");
        api.ok("POST", "/v1/collections", """
                {"collection_name": "c", "source": {"type": "bucket", "bucket_ids": ["b"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
        api.ok("POST", "/v1/retrievers", """
                {"retriever_name": "r", "collection_ids": ["c"], "input_schema": {"query": {"type": "text", "required": true}},
                 "stages": [{"stage_name": "s", "config": {"stage_id": "feature_search", "parameters": {"query": "{{INPUT.query}}", "top_k": 5}}}]}""");
    }

    @AfterAll
    static void stop() {
        server.close();
        host.close();
    }

    /** A request and what it does wrong. */
    private record Bad(String method, String path, String body) {
    }

    private static List<Bad> malformedRequests() {
        List<String> brokenJson = List.of("{", "{\"bucket_name\": ", "[1,2", "not json", "{\"a\": tru}", "{\"a\":1}}",
                "\u0000\u0001", "{'single': 'quotes'}", "{\"a\": 1,}", "nul");
        List<Bad> out = new ArrayList<>();
        String[] jsonPaths = {"/v1/buckets", "/v1/collections", "/v1/retrievers", "/v1/buckets/b/objects", "/v1/buckets/b/batches",
                "/v1/retrievers/r/execute", "/v1/collections/c/documents/list", "/v1/namespaces"};
        for (String path : jsonPaths) for (String body : brokenJson) out.add(new Bad("POST", path, body));
        String[] wrongBodies = {
                "{\"bucket_name\": 123, \"bucket_schema\": {}}",
                "{\"bucket_schema\": {\"properties\": {}}}",
                "{\"bucket_name\": \"x\", \"bucket_schema\": {\"properties\": {\"f\": {\"type\": \"banana\"}}}}",
                "{\"bucket_name\": \"x\", \"bucket_schema\": {\"properties\": [1]}}",
                "{\"bucket_name\": \"\", \"bucket_schema\": {}}",
                "[]",
                "{\"bucket_name\": \"b\", \"bucket_schema\": {}}",
        };
        for (String b : wrongBodies) for (int i = 0; i < 4; i++) out.add(new Bad("POST", "/v1/buckets", b));
        String[] collections = {
                "{\"collection_name\": \"x\", \"source\": {\"type\": \"bucket\", \"bucket_ids\": [\"b\"]}, \"feature_extractor\": {\"feature_extractor_name\": \"nope_extractor\", \"version\": \"v1\"}}",
                "{\"collection_name\": \"x\", \"source\": {\"type\": \"bucket\", \"bucket_ids\": [\"missing\"]}, \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v1\", \"input_mappings\": {\"image\": \"img\"}}}",
                "{\"collection_name\": \"x\", \"source\": {\"type\": \"ftp\"}, \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\"}}",
                "{\"collection_name\": \"x\", \"source\": {\"type\": \"bucket\", \"bucket_ids\": [\"b\"]}, \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v9\"}}",
                "{\"collection_name\": \"x\", \"source\": {\"type\": \"bucket\", \"bucket_ids\": [\"b\"]}, \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v1\"}}",
                "{\"collection_name\": \"x\", \"source\": {\"type\": \"bucket\", \"bucket_ids\": [\"b\"]}, \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v1\", \"input_mappings\": {\"image\": \"img\"}, \"parameters\": {\"enable_thumbnails\": \"yes\"}}}",
                "{\"collection_name\": \"c\", \"source\": {\"type\": \"bucket\", \"bucket_ids\": [\"b\"]}, \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v1\", \"input_mappings\": {\"image\": \"img\"}}}",
                "{\"source\": {\"type\": \"bucket\", \"bucket_ids\": [\"b\"]}}",
        };
        for (String b : collections) for (int i = 0; i < 3; i++) out.add(new Bad("POST", "/v1/collections", b));
        String[] objects = {
                "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"s3://bucket/key.jpg\"}]}",
                "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"data:image/png;base64,@@@@\"}]}",
                "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"data:image/png;base64,\"}]}",
                "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"not base64 at all!\"}]}",
                "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\"}]}",
                "{\"blobs\": [{\"type\": \"image\", \"data\": \"http://x/y.jpg\"}]}",
                "{\"blobs\": \"img\"}",
                "{}",
        };
        for (String b : objects) for (int i = 0; i < 3; i++) out.add(new Bad("POST", "/v1/buckets/b/objects", b));
        String[] executes = {
                "{\"inputs\": {}}",
                "{\"inputs\": {\"query\": 42}}",
                "{\"inputs\": {\"query\": \"x\"}, \"limit\": -1}",
                "{\"inputs\": {\"query\": \"x\"}, \"limit\": \"ten\"}",
                "{\"inputs\": {\"query\": \"x\"}, \"pagination\": {\"method\": \"scroll\"}}",
                "{\"inputs\": \"query\"}",
        };
        for (String b : executes) for (int i = 0; i < 2; i++) out.add(new Bad("POST", "/v1/retrievers/r/execute", b));
        String[] retrievers = {
                "{\"retriever_name\": \"x\", \"collection_ids\": [\"c\"], \"stages\": [{\"stage_name\": \"s\", \"config\": {\"stage_id\": \"warp_drive\"}}]}",
                "{\"retriever_name\": \"x\", \"collection_ids\": [\"c\"], \"stages\": []}",
                "{\"retriever_name\": \"x\", \"collection_ids\": [\"nope\"], \"stages\": [{\"stage_id\": \"feature_search\", \"parameters\": {\"query\": \"q\"}}]}",
                "{\"retriever_name\": \"x\", \"collection_ids\": [\"c\"], \"stages\": [{\"stage_id\": \"feature_search\", \"parameters\": {\"query\": \"q\", \"top_k\": 0}}]}",
                "{\"retriever_name\": \"x\", \"collection_ids\": [\"c\"], \"stages\": [{\"stage_id\": \"feature_search\", \"parameters\": {}}]}",
                "{\"retriever_name\": \"x\", \"collection_ids\": [\"c\"], \"stages\": [{\"stage_id\": \"feature_search\", \"parameters\": {\"query\": {\"input_mode\": \"telepathy\"}}}]}",
                "{\"retriever_name\": \"x\", \"collection_ids\": [\"c\"], \"stages\": [{\"stage_id\": \"feature_search\", \"parameters\": {\"query\": \"q\"}, \"pre_filters\": {\"field\": \"a\", \"operator\": \"between\", \"value\": 1}}]}",
        };
        for (String b : retrievers) for (int i = 0; i < 2; i++) out.add(new Bad("POST", "/v1/retrievers", b));
        String[] lists = {
                "{\"filters\": {\"field\": \"metadata.x\", \"operator\": \"approximately\", \"value\": 1}}",
                "{\"filters\": {\"AND\": {\"field\": \"x\"}}}",
                "{\"filters\": {\"field\": \"x\", \"operator\": \"in\", \"value\": 3}}",
                "{\"filters\": {\"field\": \"x\", \"operator\": \"regex\", \"value\": \"([\"}}",
                "{\"sort\": {\"field\": \"x\", \"direction\": \"sideways\"}}",
                "{\"filters\": [1, 2]}",
        };
        for (String b : lists) for (int i = 0; i < 2; i++) out.add(new Bad("POST", "/v1/collections/c/documents/list", b));
        out.add(new Bad("POST", "/v1/collections/c/documents/list?limit=100000", "{}"));
        out.add(new Bad("POST", "/v1/collections/c/documents/list?limit=abc", "{}"));
        out.add(new Bad("POST", "/v1/collections/c/documents/list?cursor=%21%21", "{}"));
        out.add(new Bad("GET", "/v1/buckets/does-not-exist", null));
        out.add(new Bad("GET", "/v1/tasks/task_nope", null));
        out.add(new Bad("GET", "/v1/collections/c/documents/doc_nope", null));
        out.add(new Bad("POST", "/v1/buckets/b/batches", "{\"object_ids\": [\"obj_nope\"]}"));
        out.add(new Bad("POST", "/v1/buckets/b/batches", "{\"object_ids\": []}"));
        out.add(new Bad("DELETE", "/v1/retrievers/nope", null));
        out.add(new Bad("POST", "/v1/no/such/route", "{}"));
        return out;
    }

    @Test
    void twoHundredMalformedRequestsAreAnsweredWithClearClientErrors() {
        List<Bad> requests = malformedRequests();
        assertTrue(requests.size() >= 200, "requests: " + requests.size());
        for (Bad bad : requests.subList(0, 200)) {
            Api.Response r = api.send(bad.method(), bad.path(), bad.body());
            String what = bad.method() + " " + bad.path() + " " + bad.body() + " → " + r.status() + " " + r.raw();
            assertTrue(r.status() >= 400 && r.status() < 500, what);
            OpenApi.assertConforms("ErrorResponse", r.body());
            assertEquals(r.status(), r.body().path("status").asInt(), what);
            assertFalse(r.body().path("error").path("message").asText().isBlank(), what);
        }
        assertEquals(200, api.get("/health").status());
    }

    @Test
    void validationErrorsNameTheField() {
        Api.Response r = api.post("/v1/collections", """
                {"collection_name": "x", "source": {"type": "bucket", "bucket_ids": ["b"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                                       "input_mappings": {"image": "img"}, "parameters": {"enable_thumbnails": "yes"}}}""");
        assertEquals(422, r.status());
        assertEquals("feature_extractor.parameters.enable_thumbnails", r.body().path("error").path("details").path("field").asText());
        Api.Response unknown = api.post("/v1/collections", """
                {"collection_name": "y", "source": {"type": "bucket", "bucket_ids": ["b"]},
                 "feature_extractor": {"feature_extractor_name": "nope_extractor", "version": "v1"}}""");
        assertEquals(422, unknown.status(), "an unknown extractor is a mistake in the request");
        assertTrue(unknown.body().path("error").path("message").asText().contains("nope_extractor"));
        assertTrue(unknown.body().path("error").path("message").asText().contains("image_extractor"), "lists the available ones");
        Api.Response duplicate = api.post("/v1/buckets", "{\"bucket_name\": \"b\", \"bucket_schema\": {}}");
        assertEquals(409, duplicate.status());
    }

    @Test
    void fiftyHostileImagesFailAloneAndTheServiceKeepsAnswering() throws Exception {
        byte[] good = Images.jpeg(Images.dominant(Images.BASIC.get("green"), 800, 600, 1));
        List<byte[]> hostile = new ArrayList<>();
        for (int i = 1; i <= 12; i++) hostile.add(Arrays.copyOf(good, good.length * i / 14));       // truncated JPEG
        for (int i = 0; i < 6; i++) hostile.add(new byte[0]);                                        // empty file
        for (int i = 0; i < 10; i++) hostile.add(("just some text, not an image #" + i).getBytes(StandardCharsets.UTF_8)); // text named .jpg
        int[][] bombs = {{30000, 30000}, {30000, 30000}, {65535, 65535}, {100000, 100000}, {30000, 30000}, {50000, 2000},
                {2000, 50000}, {30000, 30000}, {7000, 7000}, {30000, 30000}};
        for (int[] d : bombs) hostile.add(pngHeader(d[0], d[1]));                                      // decompression bombs
        Random rnd = new Random(7);
        for (int i = 0; i < 7; i++) {
            byte[] junk = new byte[200 + rnd.nextInt(2000)];
            rnd.nextBytes(junk);
            hostile.add(junk);                                                                         // random bytes
        }
        hostile.add(Arrays.copyOf(Images.png(Images.dominant(Images.BASIC.get("red"), 400, 300, 2)), 300)); // truncated PNG
        hostile.add(new byte[] {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0});                            // GIF header only
        hostile.add(new byte[] {'B', 'M', 0, 0, 0, 0});                                                // BMP header only
        hostile.add(new byte[3 * 1024 * 1024]);                                                        // over the blob limit
        hostile.add(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});                                // JPEG SOI only
        assertEquals(50, hostile.size());

        List<String> objectIds = new ArrayList<>();
        int rejectedAtCreation = 0;
        for (int i = 0; i < hostile.size(); i++) {
            String data = i % 2 == 0 ? host.put("/hostile/" + i + ".jpg", hostile.get(i))
                    : Base64.getEncoder().encodeToString(hostile.get(i));
            Api.Response r = api.post("/v1/buckets/b/objects",
                    "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + data + "\"}]}");
            if (r.status() == 200) {
                objectIds.add(r.body().path("object_id").asText());
            } else {
                assertTrue(r.status() >= 400 && r.status() < 500, "creation " + i + ": " + r.raw());
                rejectedAtCreation++;
            }
        }
        String goodId = api.ok("POST", "/v1/buckets/b/objects",
                "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + host.put("/good.jpg", good) + "\"}]}").path("object_id").asText();
        List<String> batchIds = new ArrayList<>(objectIds);
        batchIds.add(goodId);
        String batch = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": " + json(batchIds) + "}").path("batch_id").asText();
        String task = api.ok("POST", "/v1/buckets/b/batches/" + batch + "/submit", "{}").path("task_id").asText();
        JsonNode done = api.awaitTask(task, Duration.ofMinutes(2));
        assertEquals("COMPLETED_WITH_ERRORS", done.path("status").asText(), done.toString());
        assertEquals(objectIds.size(), done.path("additional_data").path("failed").asInt(), done.toString());
        assertEquals(50, objectIds.size() + rejectedAtCreation);
        for (String id : objectIds) {
            JsonNode o = api.ok("GET", "/v1/buckets/b/objects/" + id, null);
            assertEquals("FAILED", o.path("status").asText(), o.toString());
            assertFalse(o.path("error").asText().isBlank(), "failed object records its reason: " + o);
        }
        JsonNode goodObject = api.ok("GET", "/v1/buckets/b/objects/" + goodId, null);
        assertEquals("COMPLETED", goodObject.path("status").asText());
        JsonNode batchView = api.ok("GET", "/v1/buckets/b/batches/" + batch, null);
        assertEquals("COMPLETED_WITH_ERRORS", batchView.path("status").asText());
        assertTrue(batchView.path("error_summary").toString().contains("pixels, over the limit"), batchView.toString());

        JsonNode result = api.ok("POST", "/v1/retrievers/r/execute", "{\"inputs\": {\"query\": \"green\"}}");
        assertEquals(goodId, result.path("documents").get(0).path("root_object_id").asText());
    }

    /** A PNG signature and IHDR chunk declaring {@code width × height}, with no image data. */
    static byte[] pngHeader(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }

    private static String json(List<String> ids) {
        return ids.stream().map(s -> "\"" + s + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
}
