package dev.loupe.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderSettingsTest {
    private static Optional<ProviderSettings> parse(Map<String, String> flags, Map<String, String> env) {
        return ProviderSettings.from(flags::get, env::get);
    }

    @Test
    void isAbsentWhenNoProviderIsNamed() {
        assertTrue(parse(Map.of(), Map.of()).isEmpty());
    }

    @Test
    void takesEachKindsDefaultUrlAndTheDefaultLimits() {
        ProviderSettings s = parse(Map.of("vlm-provider", "gemini", "vlm-model", "gemini-2.5-flash"), Map.of()).orElseThrow();
        assertEquals(ProviderSettings.Kind.GEMINI, s.kind());
        assertEquals(URI.create("https://generativelanguage.googleapis.com"), s.baseUrl());
        assertEquals(1024, s.imageMaxSide());
        assertEquals(CallPolicy.DEFAULT, s.calls());
        assertTrue(s.apiKey().isEmpty());
        assertEquals(URI.create("https://api.openai.com/v1"), parse(Map.of("vlm-provider", "openai", "vlm-model", "m"), Map.of()).orElseThrow().baseUrl());
        assertEquals(URI.create("http://localhost:11434"), parse(Map.of(), Map.of("LOUPE_VLM_PROVIDER", "ollama", "LOUPE_VLM_MODEL", "llava")).orElseThrow().baseUrl());
    }

    @Test
    void readsEveryFlagAndLetsAFlagWinOverItsVariable() {
        ProviderSettings s = parse(Map.of("vlm-provider", "openai", "vlm-url", "http://127.0.0.1:8000/v1/", "vlm-model", "Qwen/Qwen2.5-VL-7B-Instruct",
                        "vlm-timeout", "30", "vlm-connect-timeout", "3", "vlm-concurrency", "16", "vlm-max-attempts", "2", "vlm-image-max-side", "768"),
                Map.of("LOUPE_VLM_CONCURRENCY", "1", "LOUPE_VLM_API_KEY", "sk-local")).orElseThrow();
        assertEquals(URI.create("http://127.0.0.1:8000/v1"), s.baseUrl(), "the trailing slash is dropped");
        assertEquals(Duration.ofSeconds(30), s.calls().timeout());
        assertEquals(Duration.ofSeconds(3), s.calls().connectTimeout());
        assertEquals(16, s.calls().concurrency());
        assertEquals(2, s.calls().maxAttempts());
        assertEquals(768, s.imageMaxSide());
        assertEquals("openai-compatible Qwen/Qwen2.5-VL-7B-Instruct at http://127.0.0.1:8000/v1", s.describe());
    }

    @Test
    void readsTheKeyFromItsVariableOrAFileAndNeverShowsIt(@TempDir Path dir) throws Exception {
        ProviderSettings fromEnv = parse(Map.of("vlm-provider", "openai", "vlm-model", "m"), Map.of("LOUPE_VLM_API_KEY", "sk-env-secret")).orElseThrow();
        assertEquals("sk-env-secret", fromEnv.apiKey().orElseThrow().reveal());
        Path file = dir.resolve("key");
        Files.writeString(file, "sk-file-secret\n");
        ProviderSettings fromFile = parse(Map.of("vlm-provider", "openai", "vlm-model", "m", "vlm-api-key-file", file.toString()), Map.of()).orElseThrow();
        assertEquals("sk-file-secret", fromFile.apiKey().orElseThrow().reveal(), "the file's line ending is not part of the key");

        for (ProviderSettings s : new ProviderSettings[] {fromEnv, fromFile}) {
            assertFalse(s.toString().contains("sk-"), s.toString());
            assertTrue(s.toString().contains("[secret]"), s.toString());
            assertFalse(s.describe().contains("sk-"), s.describe());
        }
    }

    @Test
    void refusesAKeyGivenAsAFlagOrTwice(@TempDir Path dir) throws Exception {
        IllegalArgumentException flag = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("vlm-provider", "openai", "vlm-model", "m", "vlm-api-key", "sk-oops"), Map.of()));
        assertTrue(flag.getMessage().contains("never a flag"), flag.getMessage());
        assertFalse(flag.getMessage().contains("sk-oops"));
        Path file = dir.resolve("key");
        Files.writeString(file, "sk-a");
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("vlm-provider", "openai", "vlm-model", "m", "vlm-api-key-file", file.toString()), Map.of("LOUPE_VLM_API_KEY", "sk-b")));
        assertTrue(both.getMessage().contains("keep one"), both.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> parse(Map.of("vlm-provider", "openai", "vlm-model", "m", "vlm-api-key-file", dir.resolve("absent").toString()), Map.of()));
        assertTrue(missing.getMessage().contains("cannot be read"), missing.getMessage());
    }

    @Test
    void namesTheSettingOfEachWrongValue() {
        String[][] cases = {
                {"vlm-provider", "anthropic", "--vlm-provider (LOUPE_VLM_PROVIDER)"},
                {"vlm-model", "", "--vlm-model (LOUPE_VLM_MODEL)"},
                {"vlm-url", "ftp://host/x", "--vlm-url (LOUPE_VLM_URL)"},
                {"vlm-url", "https://user:pw@host/v1", "must not hold credentials"},
                {"vlm-timeout", "0", "--vlm-timeout (LOUPE_VLM_TIMEOUT)"},
                {"vlm-concurrency", "many", "--vlm-concurrency (LOUPE_VLM_CONCURRENCY)"},
                {"vlm-max-attempts", "1000", "--vlm-max-attempts (LOUPE_VLM_MAX_ATTEMPTS)"},
                {"vlm-image-max-side", "10", "--vlm-image-max-side (LOUPE_VLM_IMAGE_MAX_SIDE)"},
        };
        for (String[] c : cases) {
            Map<String, String> flags = new java.util.HashMap<>(Map.of("vlm-provider", "openai", "vlm-model", "gpt-4o-mini"));
            flags.put(c[0], c[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(flags, Map.of()), c[0] + "=" + c[1]);
            assertTrue(e.getMessage().contains(c[2]), e.getMessage() + " should name " + c[2]);
        }
        IllegalArgumentException orphan = assertThrows(IllegalArgumentException.class, () -> parse(Map.of("vlm-model", "gpt-4o-mini"), Map.of()));
        assertTrue(orphan.getMessage().contains("--vlm-provider"), orphan.getMessage());
    }

    @Test
    void readsVertexSettingsWithTheirDefaults(@TempDir Path dir) throws Exception {
        assertTrue(VertexSettings.from(Map.<String, String>of()::get, Map.<String, String>of()::get).isEmpty());
        Path token = dir.resolve("token");
        Files.writeString(token, "ya29.abc\n");
        VertexSettings v = VertexSettings.from(Map.of("vertex-project", "my-proj", "vertex-token-file", token.toString())::get, Map.<String, String>of()::get).orElseThrow();
        assertEquals(1408, v.dimension());
        assertEquals("us-central1", v.location());
        assertEquals(URI.create("https://us-central1-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1/publishers/google/models/multimodalembedding@001:predict"), v.endpoint());
        assertFalse(v.toString().contains("ya29"), v.toString());
        IllegalArgumentException dim = assertThrows(IllegalArgumentException.class, () -> VertexSettings.from(
                Map.of("vertex-project", "my-proj", "vertex-dimension", "300")::get, Map.of("LOUPE_VERTEX_ACCESS_TOKEN", "ya29.x")::get));
        assertTrue(dim.getMessage().contains("128, 256, 512 or 1408"), dim.getMessage());
        IllegalArgumentException noToken = assertThrows(IllegalArgumentException.class, () -> VertexSettings.from(
                Map.of("vertex-project", "my-proj")::get, Map.<String, String>of()::get));
        assertTrue(noToken.getMessage().contains("LOUPE_VERTEX_ACCESS_TOKEN"), noToken.getMessage());
    }
}
