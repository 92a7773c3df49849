package dev.loupe.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.blob.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --blob-store} and the {@code --s3-*} settings: read from flags, a key file or the environment, checked, and the secret never shown. */
class BlobStoreSettingsTest {
    private static String refusal(Map<String, String> env, String... args) {
        return assertThrows(IllegalArgumentException.class, () -> Settings.from(args, env)).getMessage();
    }

    @Test
    void filesUnderTheDataDirectoryUnlessS3IsAskedFor() {
        assertEquals(Optional.empty(), Settings.from(new String[0], Map.of()).s3());
        assertEquals(Optional.empty(), Settings.from(new String[] {"--blob-store", "file"}, Map.of()).s3());
        S3Settings s3 = Settings.from(new String[] {"--blob-store", "s3", "--s3-bucket", "photos", "--s3-endpoint", "http://127.0.0.1:9000/"},
                Map.of()).s3().orElseThrow();
        assertEquals(new S3Settings(Optional.of(URI.create("http://127.0.0.1:9000")), "us-east-1", "photos", Optional.empty()), s3,
                "no keys given: the AWS default chain");
        S3Settings fromEnv = Settings.from(new String[0], Map.of("LOUPE_BLOB_STORE", "s3", "LOUPE_S3_BUCKET", "photos", "LOUPE_S3_REGION", "eu-west-3",
                "LOUPE_S3_ACCESS_KEY_ID", "AKIDEXAMPLE", "LOUPE_S3_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG")).s3().orElseThrow();
        assertEquals("eu-west-3", fromEnv.region());
        assertEquals(Optional.empty(), fromEnv.endpoint());
        assertEquals(new S3Settings.Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG"), fromEnv.credentials().orElseThrow());
    }

    @Test
    void aKeyFileHoldsTheIdThenTheSecretAndNeitherKeyIsEverAFlag(@TempDir Path dir) throws Exception {
        Path keys = Files.writeString(dir.resolve("keys"), "AKIDEXAMPLE\nwJalrXUtnFEMI/K7MDENG\n");
        Settings settings = Settings.from(new String[] {"--blob-store", "s3", "--s3-bucket", "photos", "--s3-access-key-file", keys.toString()}, Map.of());
        assertEquals("wJalrXUtnFEMI/K7MDENG", settings.s3().orElseThrow().credentials().orElseThrow().secretAccessKey());
        assertFalse(settings.toString().contains("wJalrXUtnFEMI"), "settings can be logged: " + settings);
        assertTrue(settings.toString().contains("AKIDEXAMPLE"), "the key id is no secret and helps an operator: " + settings);

        Path one = Files.writeString(dir.resolve("one"), "wJalrXUtnFEMI/K7MDENG\n");
        String oneLine = refusal(Map.of(), "--blob-store", "s3", "--s3-bucket", "photos", "--s3-access-key-file", one.toString());
        assertTrue(oneLine.contains("two lines") && !oneLine.contains("wJalrXUtnFEMI"), oneLine);
        assertTrue(refusal(Map.of(), "--s3-secret-access-key", "x").contains("never flags"));
        assertTrue(refusal(Map.of("LOUPE_S3_SECRET_ACCESS_KEY", "x"), "--blob-store", "s3", "--s3-bucket", "photos", "--s3-access-key-file", keys.toString())
                .contains("not both"));
        assertTrue(refusal(Map.of("LOUPE_S3_SECRET_ACCESS_KEY", "x"), "--blob-store", "s3", "--s3-bucket", "photos")
                .contains("LOUPE_S3_SECRET_ACCESS_KEY is set without LOUPE_S3_ACCESS_KEY_ID"));
    }

    @Test
    void inconsistentOrMalformedS3SettingsAreRefusedByName() {
        assertTrue(refusal(Map.of(), "--blob-store", "s3").contains("needs --s3-bucket"));
        assertTrue(refusal(Map.of(), "--blob-store", "gcs").contains("must be file or s3"));
        assertTrue(refusal(Map.of(), "--s3-bucket", "photos").contains("--s3-bucket is set but --blob-store (LOUPE_BLOB_STORE) is file"));
        assertTrue(refusal(Map.of("LOUPE_S3_ACCESS_KEY_ID", "AKID")).contains("LOUPE_S3_ACCESS_KEY_ID is set but --blob-store"));
        assertTrue(refusal(Map.of(), "--blob-store", "s3", "--s3-bucket", "Photos_1").contains("--s3-bucket"));
        assertTrue(refusal(Map.of(), "--blob-store", "s3", "--s3-bucket", "photos", "--s3-endpoint", "ftp://x").contains("--s3-endpoint"));
        assertTrue(refusal(Map.of(), "--blob-store", "s3", "--s3-bucket", "photos", "--s3-region", "EU WEST").contains("--s3-region"));
        assertTrue(Settings.usage().contains("LOUPE_S3_ACCESS_KEY_FILE"));
    }
}
