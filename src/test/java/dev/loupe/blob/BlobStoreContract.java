package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link BlobStore} promises, proved once per implementation by a subclass that
 * makes a fresh, empty store and can show the files it keeps (for S3, the filesystem
 * backend's files behind S3Proxy).
 */
abstract class BlobStoreContract {

    /** A new, empty store; {@code dir} is the test's own directory. */
    abstract BlobStore newStore(Path dir) throws Exception;

    /** Every regular file the store made since {@link #newStore}: stored content and anything left behind. */
    abstract List<Path> filesOf(BlobStore store) throws Exception;

    /** The file that holds a stored name's bytes. */
    abstract Path fileOf(BlobStore store, String sha, String extension);

    @Test
    void onlyAStoredNameReachesAFile(@TempDir Path dir) throws Exception {
        BlobStore store = newStore(dir);
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
        BlobStore store = newStore(dir);
        byte[] bytes = "streamed bytes".getBytes(StandardCharsets.US_ASCII);
        BlobStore.Stored stored = store.put(new ByteArrayInputStream(bytes), bytes.length, bytes.length, "bin");
        assertEquals(BlobStore.sha256(bytes), stored.sha256());
        assertEquals(bytes.length, stored.sizeBytes());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes)), stored.md5());
        assertArrayEquals(bytes, store.read(stored.sha256(), "bin"));

        assertThrows(BlobStore.TooLong.class, () -> store.put(new ByteArrayInputStream(new byte[101]), 1, 100, "bin"));
        assertThrows(BlobStore.TooShort.class, () -> store.put(new ByteArrayInputStream(new byte[99]), 100, 100, "bin"));
        assertEquals(List.of(fileOf(store, stored.sha256(), "bin")), filesOf(store), "only the stored blob, no temporary left behind");
    }

    @Test
    void aNameIsTheContentsSha256UnderATwoDigitDirectory(@TempDir Path dir) throws Exception {
        BlobStore store = newStore(dir);
        byte[] bytes = "named by content".getBytes(StandardCharsets.US_ASCII);
        String sha = store.put(bytes, "jpg");
        Path file = fileOf(store, sha, "jpg");
        assertEquals(sha.substring(0, 2) + "/" + sha + ".jpg", file.getParent().getFileName() + "/" + file.getFileName());
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }

    @Test
    void storingContentAlreadyThereLeavesTheStoredCopyUntouched(@TempDir Path dir) throws Exception {
        BlobStore store = newStore(dir);
        byte[] bytes = "stored once".getBytes(StandardCharsets.US_ASCII);
        String sha = store.put(bytes, "bin");
        Path file = fileOf(store, sha, "bin");
        FileTime long_ago = FileTime.fromMillis(86_400_000L);
        Files.setLastModifiedTime(file, long_ago);

        assertEquals(sha, store.put(bytes, "bin"));
        assertEquals(sha, store.put(new ByteArrayInputStream(bytes), 1, 100, "bin").sha256());
        assertEquals(long_ago, Files.getLastModifiedTime(file), "neither put wrote the content again");
        assertEquals(List.of(file), filesOf(store));
    }

    @Test
    void aLookupStreamsStoredContentAndFindsNothingForAnAbsentName(@TempDir Path dir) throws Exception {
        BlobStore store = newStore(dir);
        byte[] bytes = new byte[300_000];
        new java.util.Random(7).nextBytes(bytes);
        BlobStore.Stored stored = store.put(new ByteArrayInputStream(bytes), 1, bytes.length, "jpg");
        try (InputStream in = store.lookup(stored.sha256(), "jpg").orElseThrow()) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
        assertTrue(store.lookup(stored.sha256(), "png").isEmpty(), "another extension is another name");
        String absent = BlobStore.sha256(new byte[] {1});
        assertTrue(store.lookup(absent, "jpg").isEmpty());
        UncheckedIOException missing = assertThrows(UncheckedIOException.class, () -> store.read(absent, "jpg"));
        assertTrue(missing.getMessage().contains(absent) && missing.getMessage().contains("missing"), missing.getMessage());
    }
}
