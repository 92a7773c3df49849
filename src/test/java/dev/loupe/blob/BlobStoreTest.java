package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
}
