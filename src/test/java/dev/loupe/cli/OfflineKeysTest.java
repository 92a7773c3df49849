package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.auth.ApiKeys;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.PostgresOptions;
import dev.loupe.testing.Api;
import dev.loupe.testing.engines.Postgres;
import java.nio.file.Files;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe keys ... --data-dir}: a stopped Loupe's keys, managed on its data directory, and refused while one runs there. */
class OfflineKeysTest {
    private static CliTest.Run loupe(String... args) {
        return CliTest.loupe(Map.of("COLUMNS", "200"), args);
    }

    private static String secretOf(CliTest.Run created) {
        return created.out().lines().filter(l -> l.startsWith("Secret")).findFirst().orElseThrow(() -> new AssertionError(created.toString()))
                .replaceAll(".*: ", "");
    }

    @Test
    void aLostAdminKeyIsReplacedOnTheStoppedDataDirectoryAndWorksAtTheNextStart(@TempDir Path data) {
        new TestServer(data).close();
        CliTest.Run created = loupe("keys", "create", "rescue", "--admin", "--data-dir", data.toString());
        assertEquals(0, created.code(), created.toString());
        assertTrue(created.out().contains("(admin) in " + data), created.out());
        String rescue = secretOf(created);
        CliTest.Run listed = loupe("keys", "list", "--data-dir", data.toString());
        assertTrue(listed.out().lines().anyMatch(l -> l.contains("rescue") && l.contains("yes") && l.contains("active")), listed.out());
        try (TestServer again = new TestServer(data)) {
            Api api = new Api(again.base(), rescue, null);
            assertEquals(200, api.get("/v1/api-keys").status(), "the new admin key manages keys");
        }
    }

    @Test
    void aKeyRevokedOfflineIsRefusedByTheNextServer(@TempDir Path data) {
        String secret;
        try (TestServer first = new TestServer(data)) {
            secret = first.admin(null).post("/v1/api-keys", "{\"name\": \"laptop\"}").text("key");
        }
        assertEquals(0, loupe("keys", "revoke", "laptop", "--data-dir", data.toString()).code());
        CliTest.Run again = loupe("keys", "revoke", "laptop", "--data-dir", data.toString());
        assertEquals(1, again.code());
        assertTrue(again.err().contains("no active key 'laptop'"), again.err());
        try (TestServer next = new TestServer(data)) {
            assertEquals(401, new Api(next.base(), secret, null).post("/v1/buckets/list", "{}").status());
        }
    }

    @Test
    void theDataDirectoryOfARunningLoupeIsRefusedInOneLine(@TempDir Path data) {
        try (TestServer running = new TestServer(data)) {
            CliTest.Run r = loupe("keys", "create", "rescue", "--admin", "--data-dir", data.toString());
            assertEquals(1, r.code(), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("a Loupe is running on " + data) && r.err().contains("leave out --data-dir"), r.err());
            assertEquals(1, running.admin(null).get("/v1/api-keys").body().path("results").size(), "nothing was written");
        }
    }

    @Test
    void aDirectoryWithoutLoupeDataIsRefused(@TempDir Path data) {
        CliTest.Run r = loupe("keys", "list", "--data-dir", data.resolve("empty").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no Loupe data in"), r.err());
    }

    @Test
    void namespacesOfAnOfflineKeyAreResolvedByName(@TempDir Path data) {
        new TestServer(data).close(); // makes the "default" namespace
        CliTest.Run created = loupe("keys", "create", "shop", "--namespaces", "default", "--data-dir", data.toString());
        assertEquals(0, created.code(), created.toString());
        assertTrue(created.out().contains("namespaces [\"ns_"), created.out());
        CliTest.Run missing = loupe("keys", "create", "x", "--namespaces", "nowhere", "--data-dir", data.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("no namespace 'nowhere'"), missing.err());
    }

    @Test
    void keysOfASharedCatalogAreManagedWithItsUrlWhileItsNodesRun(@TempDir Path dir) throws Exception {
        PostgresOptions catalog = Postgres.shared().freshDatabase();
        Path password = Files.writeString(dir.resolve("password"), "unused-with-trust-auth\n");
        try (Database node = Database.postgres(catalog)) { // a node running on the catalog
            ApiKeys keys = new ApiKeys(node);
            CliTest.Run created = loupe("keys", "create", "rescue", "--admin", "--catalog-url", catalog.url(),
                    "--catalog-password-file", password.toString());
            assertEquals(0, created.code(), created.toString());
            assertTrue(created.out().contains("(admin) in the catalog " + catalog.redactedUrl()), created.out());
            String secret = secretOf(created);
            assertTrue(keys.authenticate(secret).orElseThrow().admin(), "the node accepts the new key at once");
            CliTest.Run listed = loupe("keys", "list", "--catalog-url", catalog.url());
            assertTrue(listed.out().lines().anyMatch(l -> l.contains("rescue") && l.contains("active")), listed.out());
            assertEquals(0, loupe("keys", "revoke", "rescue", "--catalog-url", catalog.url()).code());
            assertTrue(keys.authenticate(secret).isEmpty(), "and refuses it once revoked");
        }
    }

    @Test
    void aCatalogPasswordFileWithoutACatalogUrlOrBothPlacesAtOnceAreRefused(@TempDir Path data) {
        CliTest.Run r = loupe("keys", "list", "--catalog-password-file", data.resolve("p").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--catalog-password-file needs --catalog-url"), r.err());
        CliTest.Run both = loupe("keys", "list", "--data-dir", data.toString(), "--catalog-url", "postgresql://u@127.0.0.1:1/x");
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().contains("give --data-dir or --catalog-url, not both"), both.err());
    }
}
