package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
    @Test
    void onlyAStoredNameReachesAFile(@TempDir Path dir) throws Exception {
        BlobStore store = new BlobStore(dir.resolve("blobs"));
        byte[] bytes = "hello".getBytes(StandardCharsets.US_ASCII);
        String sha = store.put(bytes, "bin");
        assertArrayEquals(bytes, store.read(sha, "bin"));
        Path secret = Files.writeString(dir.resolve("secret.txt"), "private");
        for (String name : new String[] {secret.toString(), "../secret.txt", "/" + secret, sha.toUpperCase(), sha + "/../x"}) {
            assertThrows(IllegalArgumentException.class, () -> store.read(name, "bin"), name);
            assertTrue(store.lookup(name, "bin").isEmpty(), name);
        }
        assertThrows(IllegalArgumentException.class, () -> store.read(sha, "../../secret.txt"));
    }

    @Test
    void aStreamIsStoredUnderTheSameNameAsItsBytesAndOneOutOfBoundsLeavesNothing(@TempDir Path dir) throws Exception {
        BlobStore store = new BlobStore(dir.resolve("blobs"));
        byte[] bytes = "streamed bytes".getBytes(StandardCharsets.US_ASCII);
        BlobStore.Stored stored = store.put(new java.io.ByteArrayInputStream(bytes), bytes.length, bytes.length, "bin");
        assertEquals(BlobStore.sha256(bytes), stored.sha256());
        assertEquals(bytes.length, stored.sizeBytes());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes)), stored.md5());
        assertArrayEquals(bytes, store.read(stored.sha256(), "bin"));

        assertThrows(BlobStore.TooLong.class, () -> store.put(new java.io.ByteArrayInputStream(new byte[101]), 1, 100, "bin"));
        assertThrows(BlobStore.TooShort.class, () -> store.put(new java.io.ByteArrayInputStream(new byte[99]), 100, 100, "bin"));
        try (var files = Files.walk(dir.resolve("blobs"))) {
            assertEquals(1, files.filter(Files::isRegularFile).count(), "only the stored blob, no temporary left behind");
        }
    }
}
