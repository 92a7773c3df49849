package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.testing.Images;
import dev.loupe.testing.Products;
import dev.loupe.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe search|status|keys} against a running Loupe, as a person types them, with what they print captured. */
class CliTest {
    @TempDir
    static Path data;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        Products.bucket(server.admin("default"), "products")
                .add("red", 1, "{\"brand\": \"Acme red\", \"sku\": \"R-1\"}")
                .add("blue", 2, "{\"brand\": \"Acme blue\", \"sku\": \"B-1\"}")
                .add("green", 3, "{\"brand\": \"Acme green\", \"sku\": \"G-1\"}")
                .collection("product-images");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What one run printed and how it ended. */
    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Run loupe(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A run against the test server with its admin key, given through the environment as a user's shell would. */
    static Run admin(String... args) {
        return loupe(Map.of("LOUPE_URL", server.base(), "LOUPE_API_KEY", TestServer.ADMIN_KEY, "COLUMNS", "200"), args);
    }

    private static void assertOneLineError(Run r) {
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
        assertTrue(r.out().isEmpty(), r.out());
    }

    @Test
    void aTextSearchPrintsTheBestDocumentFirstWithItsFieldsAndThumbnail() {
        Run r = admin("search", "red", "--collection", "product-images", "--limit", "3");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.lines();
        assertEquals(4, lines.size(), "header and three documents: " + r.out());
        String header = lines.getFirst();
        for (String h : List.of("SCORE", "DOCUMENT", "OBJECT", "METADATA.BRAND", "METADATA.SKU", "THUMBNAIL")) {
            assertTrue(header.contains(h), header);
        }
        String first = lines.get(1);
        assertTrue(first.contains("Acme red") && first.contains("R-1"), first);
        assertTrue(first.contains(" doc_") && first.contains(" obj_"), first);
        assertTrue(first.contains(server.base() + "/"), "an absolute thumbnail URL: " + first);
        double best = Double.parseDouble(first.strip().split("\\s+")[0]);
        double second = Double.parseDouble(lines.get(2).strip().split("\\s+")[0]);
        assertTrue(best > second, r.out());
        // Columns line up: every row's document id starts where the header's DOCUMENT does.
        int at = header.indexOf("DOCUMENT");
        for (String line : lines.subList(1, lines.size())) assertEquals("doc_", line.substring(at, at + 4), line);
    }

    @Test
    void anImageSearchFindsTheProductOfThatColourFirst(@TempDir Path dir) throws Exception {
        Path photo = dir.resolve("query.jpg");
        Files.write(photo, Images.jpeg(Images.dominant(Images.BASIC.get("blue"), 300, 200, 99)));
        Run r = admin("search", "--image", photo.toString(), "--collection", "product-images", "--fields", "metadata.brand");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.lines().get(1).contains("Acme blue"), r.out());
        assertEquals(4, r.lines().size(), "all three products, each once: " + r.out());
    }

    @Test
    void jsonPrintsTheServersExecuteResponse() {
        Run r = admin("search", "green", "--collection", "product-images", "--json", "--limit", "2");
        assertEquals(0, r.code(), r.toString());
        JsonNode response = Json.read(r.out());
        assertEquals(2, response.path("documents").size(), r.out());
        assertEquals("Acme green", response.path("documents").get(0).path("metadata").path("brand").asText());
        assertTrue(response.path("execution_id").asText().startsWith("exec_") || !response.path("execution_id").asText().isEmpty());
        assertTrue(response.path("documents").get(0).path("image_extractor_v1_embedding").isMissingNode(), "no vectors asked for");
    }

    @Test
    void aFilterNarrowsTheSearch() {
        Run r = admin("search", "red", "--collection", "product-images",
                "--filter", "{\"field\": \"metadata.brand\", \"operator\": \"eq\", \"value\": \"Acme blue\"}");
        assertEquals(0, r.code(), r.toString());
        assertEquals(2, r.lines().size(), r.out());
        assertTrue(r.lines().get(1).contains("Acme blue"), r.out());
    }

    @Test
    void theTableShrinksItsFreeTextColumnsToTheTerminalButKeepsUrlsWhole() {
        Run wide = admin("search", "red", "--collection", "product-images");
        Run narrow = loupe(Map.of("LOUPE_URL", server.base(), "LOUPE_API_KEY", TestServer.ADMIN_KEY, "COLUMNS", "60"),
                "search", "red", "--collection", "product-images", "--fields", "metadata.brand");
        assertEquals(0, narrow.code(), narrow.toString());
        String url = wide.lines().get(1).substring(wide.lines().get(1).lastIndexOf(' ') + 1);
        assertTrue(url.startsWith("http://"), url);
        assertTrue(narrow.out().contains(url), "the thumbnail URL is never cut: " + narrow.out());
        assertTrue(narrow.lines().getFirst().contains("METADAT… "), "the field column gives way to its minimum: " + narrow.out());
        assertTrue(narrow.out().contains("Acme red"), "which still holds the brand: " + narrow.out());
    }

    @Test
    void statusShowsTheQueueAndTheDocumentsOfEachCollection() {
        Run r = admin("status");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Loupe at " + server.base() + ": OK"), r.out());
        assertTrue(r.out().contains("Queue: 0 item(s) waiting, 0 in progress"), r.out());
        String row = r.lines().stream().filter(l -> l.contains("product-images")).findFirst().orElseThrow(() -> new AssertionError(r.out()));
        assertTrue(row.matches("default\\s+product-images\\s+image_extractor\\s+3"), row);
        JsonNode json = Json.read(admin("status", "--json").out());
        assertEquals(3, json.path("collections").get(0).path("documents").asInt(), json.toString());
        assertEquals(0, json.path("queue").path("waiting").asInt());
    }

    @Test
    void statusListsATaskInProgressWithItsProgress() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        byte[] jpeg = Images.jpeg(Images.dominant(Images.BASIC.get("yellow"), 320, 240, 5));
        com.sun.net.httpserver.HttpServer slow = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        slow.createContext("/", exchange -> {
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS); // the fetch waits, so its item stays in progress
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().add("Content-Type", "image/jpeg");
            exchange.sendResponseHeaders(200, jpeg.length);
            exchange.getResponseBody().write(jpeg);
            exchange.close();
        });
        slow.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        slow.start();
        try {
            // A namespace of its own, so that the other tests' counts stay as they are.
            server.admin(null).ok("POST", "/v1/namespaces", "{\"namespace_name\": \"slow\"}");
            var api = server.admin("slow");
            api.ok("POST", "/v1/buckets", "{\"bucket_name\": \"products\", \"bucket_schema\": {}}");
            api.ok("POST", "/v1/collections", """
                    {"collection_name": "slow-images", "source": {"type": "bucket", "bucket_ids": ["products"]},
                     "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
            String object = api.ok("POST", "/v1/buckets/products/objects", """
                    {"blobs": [{"property": "img", "type": "image", "data": "http://127.0.0.1:%d/slow.jpg"}], "metadata": {"brand": "Slow"}}"""
                    .formatted(slow.getAddress().getPort())).path("object_id").asText();
            String batch = api.ok("POST", "/v1/buckets/products/batches", "{\"object_ids\": [\"" + object + "\"]}").path("batch_id").asText();
            String task = api.ok("POST", "/v1/buckets/products/batches/" + batch + "/submit", "{}").path("task_id").asText();
            Run polled = admin("status");
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (!polled.out().contains("1 in progress") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                polled = admin("status");
            }
            Run r = polled;
            assertTrue(r.out().contains("Queue: 0 item(s) waiting, 1 in progress, in 1 unfinished task(s)"), r.out());
            String row = r.lines().stream().filter(l -> l.startsWith(task)).findFirst().orElseThrow(() -> new AssertionError(r.out()));
            assertTrue(row.matches(java.util.regex.Pattern.quote(task) + "\\s+api_buckets_batches_submit\\s+PROCESSING\\s+0/1 \\(0%\\)\\s+0\\s+0"), row);
            release.countDown();
            assertEquals("COMPLETED", api.awaitTask(task, java.time.Duration.ofSeconds(60)).path("status").asText());
        } finally {
            release.countDown();
            slow.stop(0);
        }
    }

    @Test
    void ingestIsDispatchedWithTheGlobalFlags(@TempDir Path dir) throws Exception {
        server.admin(null).ok("POST", "/v1/namespaces", "{\"namespace_name\": \"cli-ingest\"}");
        server.admin("cli-ingest").ok("POST", "/v1/buckets", "{\"bucket_name\": \"shelf\", \"bucket_schema\": {\"properties\": {\"img\": {\"type\": \"image\"}}}}");
        Files.write(dir.resolve("a.jpg"), Images.jpeg(Images.dominant(Images.BASIC.get("red"), 200, 150, 11)));
        Files.write(dir.resolve("b.jpg"), Images.jpeg(Images.dominant(Images.BASIC.get("blue"), 200, 150, 12)));
        Run r = admin("--namespace", "cli-ingest", "ingest", dir.toString(), "--bucket", "shelf", "--upload-only");
        assertEquals(0, r.code(), r.toString());
        assertEquals(2, server.admin("cli-ingest").ok("POST", "/v1/buckets/shelf/objects/list", "{}").path("results").size());
    }

    @Test
    void keysAreCreatedListedAndRevokedThroughTheApi() {
        Run created = admin("keys", "create", "cli-reader", "--namespaces", "default");
        assertEquals(0, created.code(), created.toString());
        String secret = created.out().lines().filter(l -> l.startsWith("Secret")).findFirst().orElseThrow().replaceAll(".*: ", "");
        assertTrue(secret.startsWith("lpk_"), created.out());
        Map<String, String> asReader = Map.of("LOUPE_URL", server.base(), "LOUPE_API_KEY", secret);
        assertEquals(0, loupe(asReader, "search", "red", "--collection", "product-images").code(), "the new key searches");
        Run listed = admin("keys", "list");
        String row = listed.lines().stream().filter(l -> l.contains("cli-reader")).findFirst().orElseThrow(() -> new AssertionError(listed.out()));
        assertTrue(row.contains(secret.substring(0, 8) + "…") && row.contains("active") && row.contains("ns_"), row);
        assertFalse(listed.out().contains(secret), "a listing never shows a secret");
        assertEquals(0, admin("keys", "revoke", "cli-reader").code());
        Run refused = loupe(asReader, "search", "red", "--collection", "product-images");
        assertOneLineError(refused);
        assertTrue(refused.err().contains("401") && refused.err().contains("--key"), refused.err());
        assertTrue(admin("keys", "list").out().lines().anyMatch(l -> l.contains("cli-reader") && l.contains("revoked")));
    }

    @Test
    void aKeyThatMayNotManageKeysIsToldSoInOneLine() {
        String secret = admin("keys", "create", "plain").out().lines().filter(l -> l.startsWith("Secret")).findFirst().orElseThrow()
                .replaceAll(".*: ", "");
        Run r = loupe(Map.of("LOUPE_URL", server.base(), "LOUPE_API_KEY", secret), "keys", "list");
        assertOneLineError(r);
        assertTrue(r.err().contains("403") && r.err().contains("admin"), r.err());
    }

    @Test
    void noServerIsOneLineNamingTheUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Run r = loupe(Map.of(), "status", "--url", "http://127.0.0.1:" + port, "--key", "lpk_x");
        assertOneLineError(r);
        assertTrue(r.err().contains("no Loupe answers at http://127.0.0.1:" + port), r.err());
    }

    @Test
    void aWrongKeyIsOneLine() {
        Run r = loupe(Map.of("LOUPE_URL", server.base()), "--key", "lpk_wrong", "search", "red", "--collection", "product-images");
        assertOneLineError(r);
        assertTrue(r.err().contains("401") && r.err().contains("invalid or revoked API key"), r.err());
    }

    @Test
    void anUnknownCollectionIsOneLineWithTheServersReason() {
        Run r = admin("search", "red", "--collection", "nope");
        assertOneLineError(r);
        assertTrue(r.err().contains("404") && r.err().contains("nope"), r.err());
    }

    @Test
    void wrongUsageExitsTwoWithTheCommandsHelp() {
        List<Run> runs = new ArrayList<>(List.of(
                admin("search", "red"),
                admin("search", "red", "--collection", "c", "--limit", "0"),
                admin("search", "red", "--colection", "c"),
                admin("search", "--collection", "c"),
                admin("search", "red", "--collection", "c", "--filter", "{not json"),
                admin("keys", "create"),
                admin("keys", "rotate", "x"),
                admin("status", "extra")));
        for (Run r : runs) {
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains("Usage: loupe"), r.err());
        }
        assertTrue(admin("search", "red", "--colection", "c").err().contains("unknown option --colection"));
        Run unknown = admin("serach");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown command 'serach'"), unknown.err());
    }

    @Test
    void everyCommandExplainsItselfWithHelp() {
        for (String command : List.of("ingest", "search", "status", "keys")) {
            Run r = loupe(Map.of(), command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().startsWith("Usage: loupe " + command), r.out());
            assertTrue(r.out().contains("--url URL"), "the global flags are listed: " + r.out());
        }
        Run all = loupe(Map.of(), "--help");
        assertEquals(0, all.code());
        for (String command : List.of("ingest", "search", "status", "keys")) assertTrue(all.out().contains("loupe " + command), all.out());
    }
}
