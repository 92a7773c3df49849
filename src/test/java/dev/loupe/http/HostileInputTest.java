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
 * Malformed requests and hostile images: each request, a different one, is answered with the
 * status, Mixpeek error type and field it deserves, each image is refused at creation or
 * recorded as a failed object with its reason, and the service stays up.
 */
class HostileInputTest {
    private static final long MAX_BLOB = 2L << 20;
    @TempDir
    static Path data;
    private static TestServer server;
    private static ImageHost host;
    private static Api api;
    /** Counted by hand from {@link #malformedRequests}, so a request silently dropped from the list fails the test. */
    private static final int EXPECTED_REQUESTS = 149;

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

    /**
     * A request and the answer it deserves: its status, Mixpeek's error type, and the field
     * path the error names ({@code null} where the error is not about one field).
     */
    private record Bad(String method, String path, String body, int status, String type, String field) {
        String what() {
            return method + " " + path + " " + body;
        }
    }

    private static Bad malformed(String path, String body) {
        return new Bad("POST", path, body, 400, "BadRequestError", null);
    }

    private static Bad invalid(String path, String body, String field) {
        return new Bad("POST", path, body, 422, "ValidationError", field);
    }

    private static Bad notFound(String method, String path, String body) {
        return new Bad(method, path, body, 404, "NotFoundError", null);
    }

    private static final String EXTRACTOR = "\"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v1\", \"input_mappings\": {\"image\": \"img\"}";
    private static final String SEARCH = "{\"stage_name\": \"s\", \"config\": {\"stage_id\": \"feature_search\", \"parameters\": ";

    private static List<Bad> malformedRequests() {
        List<String> brokenJson = List.of("{", "{\"bucket_name\": ", "[1,2", "not json", "{\"a\": tru}", "{\"a\":1}}",
                "\u0000\u0001", "{'single': 'quotes'}", "{\"a\": 1,}", "nul");
        List<Bad> out = new ArrayList<>();
        String[] jsonPaths = {"/v1/buckets", "/v1/collections", "/v1/retrievers", "/v1/buckets/b/objects", "/v1/buckets/b/batches",
                "/v1/retrievers/r/execute", "/v1/collections/c/documents/list", "/v1/namespaces"};
        for (String path : jsonPaths) for (String body : brokenJson) out.add(malformed(path, body));

        String buckets = "/v1/buckets";
        out.add(invalid(buckets, "{\"bucket_name\": 123, \"bucket_schema\": {}}", "bucket_name"));
        out.add(invalid(buckets, "{\"bucket_schema\": {\"properties\": {}}}", "bucket_name"));
        out.add(invalid(buckets, "{\"bucket_name\": \"\", \"bucket_schema\": {}}", "bucket_name"));
        out.add(invalid(buckets, "{\"bucket_name\": \"x\", \"bucket_schema\": {\"properties\": {\"f\": {\"type\": \"banana\"}}}}", "bucket_schema.properties.f.type"));
        out.add(invalid(buckets, "{\"bucket_name\": \"x\", \"bucket_schema\": {\"properties\": [1]}}", "bucket_schema.properties"));
        out.add(invalid(buckets, "{\"bucket_name\": \"x\", \"bucket_schema\": \"none\"}", "bucket_schema"));
        out.add(invalid(buckets, "{\"bucket_name\": \"x\", \"description\": 5, \"bucket_schema\": {}}", "description"));
        out.add(invalid(buckets, "[]", "body"));
        out.add(invalid(buckets, "42", "body"));
        out.add(new Bad("POST", buckets, "{\"bucket_name\": \"b\", \"bucket_schema\": {}}", 409, "ConflictError", null));

        String collections = "/v1/collections";
        String source = "\"source\": {\"type\": \"bucket\", \"bucket_ids\": [\"b\"]}";
        out.add(invalid(collections, "{\"collection_name\": \"x\", " + source + ", \"feature_extractor\": {\"feature_extractor_name\": \"nope_extractor\", \"version\": \"v1\"}}",
                "feature_extractor.feature_extractor_name"));
        out.add(invalid(collections, "{\"collection_name\": \"x\", \"source\": {\"type\": \"bucket\", \"bucket_ids\": [\"missing\"]}, " + EXTRACTOR + "}}", "source.bucket_ids"));
        out.add(invalid(collections, "{\"collection_name\": \"x\", \"source\": {\"type\": \"ftp\"}, \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\"}}", "source.type"));
        out.add(invalid(collections, "{\"collection_name\": \"x\", " + source + ", \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v9\"}}",
                "feature_extractor.version"));
        out.add(invalid(collections, "{\"collection_name\": \"x\", " + source + ", \"feature_extractor\": {\"feature_extractor_name\": \"image_extractor\", \"version\": \"v1\"}}",
                "feature_extractor.input_mappings.image"));
        out.add(invalid(collections, "{\"collection_name\": \"x\", " + source + ", " + EXTRACTOR + ", \"parameters\": {\"enable_thumbnails\": \"yes\"}}}",
                "feature_extractor.parameters.enable_thumbnails"));
        out.add(new Bad("POST", collections, "{\"collection_name\": \"c\", " + source + ", " + EXTRACTOR + "}}", 409, "ConflictError", null));
        out.add(invalid(collections, "{" + source + "}", "collection_name"));
        out.add(invalid(collections, "{\"collection_name\": \"x\", " + EXTRACTOR + "}}", "source"));
        out.add(invalid(collections, "{\"collection_name\": \"x\", " + source + "}", "feature_extractor"));

        String objects = "/v1/buckets/b/objects";
        out.add(invalid(objects, "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"s3://bucket/key.jpg\"}]}", "blobs[0].data"));
        out.add(invalid(objects, "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"data:image/png;base64,@@@@\"}]}", "blobs[0].data"));
        out.add(invalid(objects, "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"data:image/png;base64,\"}]}", "blobs[0].data"));
        out.add(invalid(objects, "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"not base64 at all!\"}]}", "blobs[0].data"));
        out.add(invalid(objects, "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\"}]}", "blobs[0].data"));
        out.add(invalid(objects, "{\"blobs\": [{\"type\": \"image\", \"data\": \"http://x/y.jpg\"}]}", "blobs[0].property"));
        out.add(invalid(objects, "{\"blobs\": \"img\"}", "blobs"));
        out.add(invalid(objects, "{}", "blobs"));
        out.add(invalid(objects, "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"http://x/y.jpg\"}], \"metadata\": [1]}", "metadata"));
        out.add(notFound("POST", "/v1/buckets/missing/objects", "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"http://x/y.jpg\"}]}"));

        String execute = "/v1/retrievers/r/execute";
        out.add(invalid(execute, "{\"inputs\": {}}", "inputs.query"));
        out.add(invalid(execute, "{\"inputs\": {\"query\": 42}}", "inputs.query"));
        out.add(invalid(execute, "{\"inputs\": {\"query\": \"x\"}, \"limit\": -1}", "limit"));
        out.add(invalid(execute, "{\"inputs\": {\"query\": \"x\"}, \"limit\": \"ten\"}", "limit"));
        out.add(invalid(execute, "{\"inputs\": {\"query\": \"x\"}, \"pagination\": {\"method\": \"scroll\"}}", "pagination.method"));
        out.add(invalid(execute, "{\"inputs\": \"query\"}", "inputs"));
        out.add(invalid(execute, "{\"inputs\": {\"query\": \"x\"}, \"pagination\": {\"method\": \"offset\", \"page_size\": 0}}", "pagination.page_size"));
        out.add(notFound("POST", "/v1/retrievers/missing/execute", "{\"inputs\": {\"query\": \"x\"}}"));

        String retrievers = "/v1/retrievers";
        String head = "{\"retriever_name\": \"x\", \"collection_ids\": [\"c\"], \"stages\": ";
        out.add(invalid(retrievers, head + "[{\"stage_name\": \"s\", \"config\": {\"stage_id\": \"warp_drive\"}}]}", "stages[0].config.stage_id"));
        out.add(invalid(retrievers, head + "[]}", "stages"));
        out.add(invalid(retrievers, "{\"retriever_name\": \"x\", \"collection_ids\": [\"nope\"], \"stages\": [" + SEARCH + "{\"query\": \"q\"}}}]}", "collection_ids"));
        out.add(invalid(retrievers, head + "[" + SEARCH + "{\"query\": \"q\", \"top_k\": 0}}}]}", "stages[0].config.parameters.top_k"));
        out.add(invalid(retrievers, head + "[" + SEARCH + "{}}}]}", "stages[0].config.parameters.searches"));
        out.add(invalid(retrievers, head + "[" + SEARCH + "{\"query\": {\"input_mode\": \"telepathy\"}}}}]}", "stages[0].config.parameters.query"));
        out.add(invalid(retrievers, head + "[" + SEARCH + "{\"query\": \"q\"}, \"pre_filters\": {\"field\": \"a\", \"operator\": \"between\", \"value\": 1}}}]}",
                "stages[0].config.pre_filters.operator"));
        out.add(new Bad("POST", retrievers, "{\"retriever_name\": \"r\", \"collection_ids\": [\"c\"], \"stages\": [" + SEARCH + "{\"query\": \"q\"}}}]}",
                409, "ConflictError", null));
        out.add(invalid(retrievers, "{\"collection_ids\": [\"c\"], \"stages\": [" + SEARCH + "{\"query\": \"q\"}}}]}", "retriever_name"));

        String list = "/v1/collections/c/documents/list";
        out.add(invalid(list, "{\"filters\": {\"field\": \"metadata.x\", \"operator\": \"approximately\", \"value\": 1}}", "filters.operator"));
        out.add(invalid(list, "{\"filters\": {\"AND\": {\"field\": \"x\"}}}", "filters.AND"));
        out.add(invalid(list, "{\"filters\": {\"field\": \"x\", \"operator\": \"in\", \"value\": 3}}", "filters.value"));
        out.add(invalid(list, "{\"filters\": {\"field\": \"x\", \"operator\": \"regex\", \"value\": \"([\"}}", "filters.value"));
        out.add(invalid(list, "{\"sort\": {\"field\": \"x\", \"direction\": \"sideways\"}}", "sort.direction"));
        out.add(invalid(list, "{\"filters\": [1, 2]}", "filters"));
        out.add(invalid("/v1/collections/c/documents/list?limit=100000", "{}", "limit"));
        out.add(invalid("/v1/collections/c/documents/list?limit=abc", "{}", "limit"));
        out.add(invalid("/v1/collections/c/documents/list?cursor=%21%21", "{}", "cursor"));
        out.add(notFound("POST", "/v1/collections/missing/documents/list", "{}"));

        out.add(notFound("GET", "/v1/buckets/does-not-exist", null));
        out.add(notFound("GET", "/v1/tasks/task_nope", null));
        out.add(notFound("GET", "/v1/collections/c/documents/doc_nope", null));
        out.add(notFound("GET", "/v1/buckets/b/objects/obj_nope", null));
        out.add(invalid("/v1/buckets/b/batches", "{\"object_ids\": [\"obj_nope\"]}", "object_ids"));
        out.add(invalid("/v1/buckets/b/batches", "{\"object_ids\": []}", "object_ids"));
        out.add(invalid("/v1/buckets/b/batches", "{\"object_ids\": \"obj_1\"}", "object_ids"));
        out.add(notFound("DELETE", "/v1/retrievers/nope", null));
        out.add(notFound("DELETE", "/v1/collections/nope", null));
        out.add(notFound("POST", "/v1/no/such/route", "{}"));
        out.add(invalid("/v1/namespaces", "{\"namespace_name\": 7}", "namespace_name"));
        out.add(invalid("/v1/namespaces", "{}", "namespace_name"));
        return out;
    }

    @Test
    void everyMalformedRequestIsAnsweredWithTheStatusItDeserves() {
        List<Bad> requests = malformedRequests();
        assertEquals(EXPECTED_REQUESTS, requests.size());
        assertEquals(requests.size(), requests.stream().map(Bad::what).distinct().count(), "every request is a different one");
        List<String> wrong = new ArrayList<>();
        for (Bad bad : requests) {
            Api.Response r = api.send(bad.method(), bad.path(), bad.body());
            JsonNode error = r.body().path("error");
            String got = r.status() + " " + error.path("type").asText() + " field=" + error.path("details").path("field").asText(null);
            String want = bad.status() + " " + bad.type() + " field=" + bad.field();
            if (!got.equals(want)) wrong.add(bad.what() + "\n   wants " + want + "\n   got   " + got + ": " + r.raw());
            else {
                OpenApi.assertConforms("ErrorResponse", r.body());
                assertEquals(r.status(), r.body().path("status").asInt(), bad.what());
                assertFalse(error.path("message").asText().isBlank(), bad.what());
            }
        }
        assertEquals("", String.join("\n", wrong), wrong.size() + " of " + requests.size() + " answered wrongly");
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
        List<String> rejectedAtCreation = new ArrayList<>();
        for (int i = 0; i < hostile.size(); i++) {
            String data = i % 2 == 0 ? host.put("/hostile/" + i + ".jpg", hostile.get(i))
                    : Base64.getEncoder().encodeToString(hostile.get(i));
            Api.Response r = api.post("/v1/buckets/b/objects",
                    "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + data + "\"}]}");
            if (r.status() == 200) objectIds.add(r.body().path("object_id").asText());
            else rejectedAtCreation.add(i + ": " + r.status() + " " + r.body().path("error").path("type").asText()
                    + " field=" + r.body().path("error").path("details").path("field").asText(null));
        }
        // Only an inline blob can be judged before processing: the empty files sent inline (12 to 17, the odd ones).
        String empty = " 422 ValidationError field=blobs[0].data";
        assertEquals(List.of("13:" + empty, "15:" + empty, "17:" + empty), rejectedAtCreation);
        assertEquals(47, objectIds.size());
        Api.Response inlineOverLimit = api.post("/v1/buckets/b/objects", "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \""
                + Base64.getEncoder().encodeToString(hostile.get(48)) + "\"}]}");
        assertEquals(413, inlineOverLimit.status(), "the same bytes sent inline are judged at once: " + inlineOverLimit.raw());
        assertEquals("PayloadTooLargeError", inlineOverLimit.body().path("error").path("type").asText());
        String goodId = api.ok("POST", "/v1/buckets/b/objects",
                "{\"blobs\": [{\"property\": \"img\", \"type\": \"image\", \"data\": \"" + host.put("/good.jpg", good) + "\"}]}").path("object_id").asText();
        List<String> batchIds = new ArrayList<>(objectIds);
        batchIds.add(goodId);
        String batch = api.ok("POST", "/v1/buckets/b/batches", "{\"object_ids\": " + json(batchIds) + "}").path("batch_id").asText();
        String task = api.ok("POST", "/v1/buckets/b/batches/" + batch + "/submit", "{}").path("task_id").asText();
        JsonNode done = api.awaitTask(task, Duration.ofMinutes(2));
        assertEquals("COMPLETED_WITH_ERRORS", done.path("status").asText(), done.toString());
        assertEquals(objectIds.size(), done.path("additional_data").path("failed").asInt(), done.toString());
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
