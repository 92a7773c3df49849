package dev.loupe.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.engines.EngineProcess;
import dev.loupe.testing.engines.S3Server;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link BlobStoreContract} for objects in a bucket of S3Proxy (each test its own bucket), and
 * the failures an operator meets: a wrong bucket, wrong keys, a store that is down.
 */
class S3BlobStoreTest extends BlobStoreContract {
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    @TempDir
    static Path serverDir;
    private static S3Server server;
    private static S3Client client;

    private String bucket;
    private Path spool;

    @BeforeAll
    static void start() {
        server = S3Server.start(serverDir);
        client = S3BlobStore.client(server.settings("unused")); // a client is not tied to one bucket: each test names its own
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    @Override
    BlobStore newStore(Path dir) {
        bucket = server.createBucket("contract-" + BUCKETS.incrementAndGet());
        spool = dir.resolve("spool");
        S3BlobStore store = new S3BlobStore(client, bucket, "thumbnails/", spool);
        store.checkBucket();
        return store;
    }

    @Override
    List<Path> filesOf(BlobStore store) throws Exception {
        List<Path> all = new ArrayList<>();
        for (Path root : List.of(server.baseDir().resolve(bucket), spool)) {
            if (!Files.isDirectory(root)) continue;
            try (var files = Files.walk(root)) {
                files.filter(Files::isRegularFile).forEach(all::add);
            }
        }
        return all;
    }

    @Override
    Path fileOf(BlobStore store, String sha, String extension) {
        return server.baseDir().resolve(bucket).resolve("thumbnails").resolve(sha.substring(0, 2)).resolve(sha + "." + extension);
    }

    @Test
    void aBucketThatDoesNotExistIsNamedWithTheStoresAnswer(@TempDir Path dir) {
        S3BlobStore store = new S3BlobStore(client, "no-such-bucket", "blobs/", dir);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, store::checkBucket);
        assertTrue(e.getMessage().contains("S3 bucket no-such-bucket") && e.getMessage().contains("404"), e.getMessage());

        byte[] bytes = "x".getBytes(StandardCharsets.US_ASCII);
        UncheckedIOException put = assertThrows(UncheckedIOException.class, () -> store.put(bytes, "bin"));
        String key = "s3://no-such-bucket/blobs/" + BlobStore.sha256(bytes).substring(0, 2) + "/" + BlobStore.sha256(bytes) + ".bin";
        assertTrue(put.getMessage().contains(key) && put.getMessage().contains("NoSuchBucket"), put.getMessage());
        IOException streamed = assertThrows(IOException.class, () -> store.put(new ByteArrayInputStream(bytes), 1, 10, "bin"));
        assertTrue(streamed.getMessage().contains(key), streamed.getMessage());
    }

    @Test
    void wrongKeysAreRefusedAndTheSecretIsNeverShown(@TempDir Path dir) {
        String bucket = server.createBucket("keys-" + BUCKETS.incrementAndGet());
        S3Settings wrong = new S3Settings(Optional.of(server.endpoint()), S3Settings.DEFAULT_REGION, bucket,
                Optional.of(new S3Settings.Credentials(S3Server.ACCESS_KEY_ID, "not-the-secret-42")));
        assertFalse(wrong.toString().contains("not-the-secret-42"), wrong.toString());
        try (S3Client wrongClient = S3BlobStore.client(wrong)) {
            S3BlobStore store = new S3BlobStore(wrongClient, bucket, "blobs/", dir);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> store.put(new byte[] {1, 2}, "bin"));
            assertTrue(e.getMessage().contains("s3://" + bucket + "/blobs/") && e.getMessage().contains("403"), e.getMessage());
            assertFalse(e.getMessage().contains("not-the-secret-42"), e.getMessage());
        }
    }

    @Test
    void aStoreThatIsDownIsReportedWithTheKeyAndWhyNoAnswerCame(@TempDir Path dir) {
        URI nobody = URI.create("http://127.0.0.1:" + EngineProcess.freePort());
        S3Settings down = new S3Settings(Optional.of(nobody), S3Settings.DEFAULT_REGION, "gone",
                Optional.of(new S3Settings.Credentials(S3Server.ACCESS_KEY_ID, S3Server.SECRET_ACCESS_KEY)));
        try (S3Client downClient = S3BlobStore.client(down)) {
            S3BlobStore store = new S3BlobStore(downClient, "gone", "thumbnails/", dir);
            String sha = BlobStore.sha256(new byte[] {9});
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> store.lookup(sha, "jpg"));
            assertTrue(e.getMessage().contains("s3://gone/thumbnails/" + sha.substring(0, 2) + "/" + sha + ".jpg"), e.getMessage());
            assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
        }
    }

    @Test
    void twoStoresOnOneBucketKeepTheirPrefixesApart(@TempDir Path dir) {
        String shared = server.createBucket("prefixes-" + BUCKETS.incrementAndGet());
        S3BlobStore sources = new S3BlobStore(client, shared, "blobs/", dir);
        S3BlobStore thumbnails = new S3BlobStore(client, shared, "thumbnails/", dir);
        byte[] bytes = "in sources only".getBytes(StandardCharsets.US_ASCII);
        String sha = sources.put(bytes, "bin");
        assertArrayEquals(bytes, sources.read(sha, "bin"));
        assertTrue(thumbnails.lookup(sha, "bin").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> new S3BlobStore(client, shared, "../", dir));
    }
}
