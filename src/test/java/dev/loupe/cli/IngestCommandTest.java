package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.ImageHost;
import dev.loupe.testing.Images;
import dev.loupe.testing.PhotoBucket;
import dev.loupe.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe ingest} against a running Loupe, on folders of images written by the test. */
class IngestCommandTest {
    @TempDir
    static Path data;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A namespace with bucket {@code photos} (image property {@code image}) and the collection {@code looks} reading it. */
    private static Api shop(String namespace) {
        Api api = PhotoBucket.create(server, namespace);
        api.ok("POST", "/v1/collections", """
                {"collection_name": "looks", "source": {"type": "bucket", "bucket_ids": ["photos"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1",
                   "input_mappings": {"image": "payload.image"}, "field_passthrough": [{"source_path": "metadata.sku"}]}}""");
        return api;
    }

    private record Result(int status, String out, String err) {
    }

    private static Result ingest(String namespace, boolean tty, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ServerConnection connection = ServerConnection.resolve(Optional.of(server.base()), Optional.of(TestServer.ADMIN_KEY),
                Optional.of(namespace), Map.of());
        int status = IngestCommand.run(List.of(args), connection, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), tty);
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
    }

    private static byte[] photo(String colour, long seed) {
        return Images.jpeg(Images.dominant(Images.BASIC.get(colour), 200, 150, seed));
    }

    /** The bucket's objects by the file name their blob records. */
    private static Map<String, JsonNode> objectsByFile(Api api) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode o : api.ok("POST", "/v1/buckets/photos/objects/list", "{\"limit\": 100}").path("results")) {
            out.put(o.path("blobs").get(0).path("properties").path("metadata").path("filename").asText(), o);
        }
        return out;
    }

    private static int uploadRecords(Api api) {
        return api.ok("POST", "/v1/buckets/photos/uploads/list", "{}").path("stats").path("total_uploads").asInt();
    }

    @Test
    void aFolderTreeWithMetadataIsIngestedWithProgressAndTheCorruptImageListedWithItsReason(@TempDir Path dir) throws IOException {
        Api api = shop("ingest-tree");
        Path root = dir.resolve("catalogue");
        write(root.resolve("red.jpg"), photo("red", 1));
        write(root.resolve("bags/blue.png"), Images.png(Images.dominant(Images.BASIC.get("blue"), 200, 150, 2)));
        write(root.resolve("bags/deep/green"), photo("green", 3)); // no extension: found by its bytes
        write(root.resolve("broken.jpg"), "this is not a JPEG at all".getBytes(StandardCharsets.UTF_8));
        write(root.resolve("notes.txt"), "not an image".getBytes(StandardCharsets.UTF_8));
        write(root.resolve(".hidden/yellow.jpg"), photo("yellow", 4));
        Path csv = dir.resolve("meta.csv");
        Files.writeString(csv, "path,sku,note\nbags/blue.png,B-2,\"a bag, blue\"\nred.jpg,R-1,\n");

        Result r = ingest("ingest-tree", false, root.toString(), "--bucket", "photos", "--metadata", csv.toString(), "--collection", "looks");
        assertEquals(1, r.status(), "a file failed: " + r.out() + r.err());
        assertTrue(r.out().contains("ingesting 4 files"), "the text file and the hidden folder are left out: " + r.out());
        assertTrue(r.out().contains("uploaded 4/4"), r.out());
        assertTrue(r.out().contains("processed 3/4"), r.out());
        assertFalse(r.out().contains("\r"), "not a terminal: plain lines");
        assertTrue(r.out().contains("\nfailed:\n"), r.out() + r.err());
        String failures = r.out().substring(r.out().indexOf("\nfailed:\n"));
        assertTrue(failures.contains("broken.jpg: "), failures);
        assertFalse(failures.contains("red.jpg"), failures);
        assertTrue(failures.lines().filter(l -> l.startsWith("  ")).count() == 1, failures);
        assertTrue(r.out().contains("collection looks: 3 documents"), r.out());

        Map<String, JsonNode> objects = objectsByFile(api);
        assertEquals(4, objects.size(), objects.keySet().toString());
        assertEquals("B-2", objects.get("blue.png").path("metadata").path("sku").asText());
        assertEquals("a bag, blue", objects.get("blue.png").path("metadata").path("note").asText(), "quoted CSV cell");
        assertEquals("R-1", objects.get("red.jpg").path("metadata").path("sku").asText());
        assertTrue(objects.get("red.jpg").path("metadata").path("note").isMissingNode(), "an empty cell sets nothing");
    }

    @Test
    void aRerunUploadsNothingTwiceAndSubmitsOnlyWhatIsMissing(@TempDir Path dir) throws Exception {
        Api api = shop("ingest-resume");
        Path root = dir.resolve("photos");
        write(root.resolve("a.jpg"), photo("red", 5));
        write(root.resolve("b.jpg"), photo("blue", 6));
        write(root.resolve("c.jpg"), photo("green", 7));

        // Stopped after uploading: the objects exist, nothing processed them.
        Result first = ingest("ingest-resume", false, root.toString(), "--bucket", "photos", "--upload-only");
        assertEquals(0, first.status(), first.out() + first.err());
        assertEquals(3, uploadRecords(api));
        assertTrue(first.out().contains("3 objects left unsubmitted"), first.out());

        // What a run killed between its PUT and its confirm leaves: bytes received, never confirmed.
        byte[] d = photo("yellow", 8);
        write(root.resolve("d.jpg"), d);
        JsonNode u = api.ok("POST", "/v1/buckets/photos/uploads", """
                {"filename": "d.jpg", "content_type": "image/jpeg", "blob_property": "image", "file_size_bytes": %d}""".formatted(d.length));
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(u.path("presigned_url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(d)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode());
        assertEquals(4, uploadRecords(api));

        Result second = ingest("ingest-resume", false, root.toString(), "--bucket", "photos");
        assertEquals(0, second.status(), second.out() + second.err());
        assertEquals(4, uploadRecords(api), "no file was uploaded again");
        assertTrue(second.out().contains("0 uploaded, 4 already in the bucket"), second.out());
        assertTrue(second.out().contains("submitted 4 objects"), second.out());
        assertTrue(second.out().contains("processed 4/4"), second.out());
        assertEquals(4, objectsByFile(api).size());

        Result third = ingest("ingest-resume", false, root.toString(), "--bucket", "photos");
        assertEquals(0, third.status(), third.out() + third.err());
        assertTrue(third.out().contains("nothing to submit"), third.out());
        assertEquals(4, uploadRecords(api));
        assertEquals(4, api.ok("POST", "/v1/collections/looks/documents/list", "{}").path("pagination").path("total").asInt());
    }

    @Test
    void aListOfUrlsBecomesObjectsWithJsonLinesMetadataAndARerunMakesNoneTwice(@TempDir Path dir) throws IOException {
        Api api = shop("ingest-urls");
        try (ImageHost host = new ImageHost()) {
            String red = host.put("/shop/red.jpg", photo("red", 10));
            String blue = host.put("/shop/blue.jpg", photo("blue", 11));
            Path list = dir.resolve("urls.txt");
            Files.writeString(list, "# the shop's images\n" + red + "\n\n" + blue + "\n" + red + "\n");
            Path jsonl = dir.resolve("meta.jsonl");
            Files.writeString(jsonl, "{\"path\": \"" + blue + "\", \"sku\": \"B-7\", \"stock\": 3}\n");

            Result r = ingest("ingest-urls", false, "--urls", list.toString(), "--bucket", "photos", "--metadata", jsonl.toString());
            assertEquals(0, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("ingesting 0 files and 2 URLs"), "a URL listed twice is taken once: " + r.out());
            assertTrue(r.out().contains("processed 2/2"), r.out());
            JsonNode objects = api.ok("POST", "/v1/buckets/photos/objects/list", "{}").path("results");
            assertEquals(2, objects.size());
            for (JsonNode o : objects) {
                if (o.path("blobs").get(0).path("properties").path("url").asText().equals(blue)) {
                    assertEquals("B-7", o.path("metadata").path("sku").asText());
                    assertEquals(3, o.path("metadata").path("stock").asInt(), "JSON Lines values keep their type");
                }
            }

            Result again = ingest("ingest-urls", false, "--urls", list.toString(), "--bucket", "photos");
            assertEquals(0, again.status(), again.out() + again.err());
            assertTrue(again.out().contains("nothing to submit"), again.out());
            assertEquals(2, api.ok("POST", "/v1/buckets/photos/objects/list", "{}").path("results").size(), "no object made twice");
        }
    }

    @Test
    void onATerminalTheProgressLineIsRedrawnInPlace(@TempDir Path dir) throws IOException {
        shop("ingest-tty");
        write(dir.resolve("one.jpg"), photo("white", 9));
        Result r = ingest("ingest-tty", true, dir.resolve("one.jpg").toString(), "--bucket", "photos");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("\ruploaded 1/1"), r.out());
        assertTrue(r.out().contains("\ruploaded 1/1 · processed 1/1"), r.out());
    }

    @Test
    void badArgumentsAndAnUnknownBucketAreOneClearLine(@TempDir Path dir) throws IOException {
        shop("ingest-errors");
        assertEquals(2, ingest("ingest-errors", false, dir.toString()).status(), "--bucket is required");
        assertEquals(2, ingest("ingest-errors", false, dir.toString(), "--bucket", "photos", "--parallel", "0").status());
        Result unknown = ingest("ingest-errors", false, dir.toString(), "--bucket", "nope");
        assertEquals(1, unknown.status());
        assertTrue(unknown.err().startsWith("loupe ingest: GET /v1/buckets/nope: 404"), unknown.err());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
        Result missing = ingest("ingest-errors", false, dir.resolve("absent").toString(), "--bucket", "photos");
        assertTrue(missing.err().contains("no such file or folder"), missing.err());
        Result help = ingest("ingest-errors", false, "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--metadata FILE"), help.out());
    }
}
