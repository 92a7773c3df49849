package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.OpenApi;
import dev.loupe.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every /v1 call needs a valid key; keys are hashed, revocable and can be limited to namespaces. */
class AuthTest {
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api admin;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
        admin = server.admin(null);
        admin.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"alpha\", \"feature_extractors\": []}");
        admin.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"beta\", \"feature_extractors\": []}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void missingOrWrongKeyIsRejectedWith401InMixpeeksShape() {
        for (Api anonymous : new Api[] {admin.withKey(null), admin.withKey("lpk_wrong"), admin.withKey("")}) {
            Api.Response r = anonymous.post("/v1/buckets/list", "{}");
            assertEquals(401, r.status());
            OpenApi.assertConforms("ErrorResponse", r.body());
            assertFalse(r.body().path("success").asBoolean());
        }
        Api.Response basic = new Api(server.base(), null, null).send("GET", "/v1/tasks/x", null);
        assertEquals(401, basic.status());
    }

    @Test
    void createdKeysWorkUntilRevoked() {
        JsonNode created = admin.ok("POST", "/v1/api-keys", "{\"name\": \"ci\"}");
        String secret = created.path("key").asText();
        assertTrue(secret.startsWith("lpk_"));
        Api ci = admin.withKey(secret);
        assertEquals(200, ci.post("/v1/buckets/list", "{}").status());
        assertEquals(403, ci.post("/v1/api-keys", "{\"name\": \"escalate\"}").status(), "only admins make keys");
        JsonNode listed = admin.ok("GET", "/v1/api-keys", null);
        assertFalse(listed.toString().contains(secret), "secrets are never listed");
        admin.ok("DELETE", "/v1/api-keys/" + created.path("key_id").asText(), null);
        assertEquals(401, ci.post("/v1/buckets/list", "{}").status());
    }

    @Test
    void keysAreStoredHashed() throws Exception {
        String secret = admin.ok("POST", "/v1/api-keys", "{\"name\": \"hashed\"}").path("key").asText();
        byte[] db = Files.readAllBytes(server.dataDir().resolve("catalog.db"));
        Path wal = server.dataDir().resolve("catalog.db-wal");
        String all = new String(db, java.nio.charset.StandardCharsets.ISO_8859_1)
                + (Files.exists(wal) ? new String(Files.readAllBytes(wal), java.nio.charset.StandardCharsets.ISO_8859_1) : "");
        assertFalse(all.contains(secret), "the secret must not be on disk");
        assertFalse(all.contains(TestServer.ADMIN_KEY), "nor the configured admin key");
    }

    @Test
    void nothingIsReadableAcrossNamespaces() {
        Api alpha = admin.inNamespace("alpha");
        Api beta = admin.inNamespace("beta");
        String bucketId = alpha.ok("POST", "/v1/buckets", "{\"bucket_name\": \"secret-bucket\", \"bucket_schema\": {}}").path("bucket_id").asText();
        assertEquals(404, beta.get("/v1/buckets/" + bucketId).status());
        assertEquals(404, beta.get("/v1/buckets/secret-bucket").status());
        assertEquals(0, beta.ok("POST", "/v1/buckets/list", "{}").path("results").size());
        assertEquals(200, beta.post("/v1/buckets", "{\"bucket_name\": \"secret-bucket\", \"bucket_schema\": {}}").status(),
                "names are per namespace");
    }

    @Test
    void aKeyLimitedToANamespaceSeesOnlyThatNamespace() {
        String secret = admin.ok("POST", "/v1/api-keys", "{\"name\": \"alpha-only\", \"namespaces\": [\"alpha\"]}").path("key").asText();
        Api limited = admin.withKey(secret);
        assertEquals(200, limited.inNamespace("alpha").post("/v1/buckets/list", "{}").status());
        Api.Response other = limited.inNamespace("beta").post("/v1/buckets/list", "{}");
        assertEquals(403, other.status());
        assertEquals(403, limited.inNamespace(null).post("/v1/buckets/list", "{}").status(), "not even the default namespace");
        JsonNode visible = limited.ok("POST", "/v1/namespaces/list", "{}");
        assertEquals(1, visible.path("results").size());
        assertEquals("alpha", visible.path("results").get(0).path("namespace_name").asText());
        assertEquals(403, limited.post("/v1/namespaces", "{\"namespace_name\": \"gamma\"}").status());
        assertEquals(404, limited.inNamespace("no-such-ns").post("/v1/buckets/list", "{}").status());
    }

    @Test
    void thumbnailsAndHealthNeedNoKey() {
        Api anonymous = new Api(server.base(), null, null);
        assertEquals(200, anonymous.get("/health").status());
        assertEquals(404, anonymous.get("/thumbnails/" + "0".repeat(64) + ".jpg").status());
        assertEquals(404, anonymous.get("/thumbnails/..%2F..%2Fcatalog.db").status());
    }
}
