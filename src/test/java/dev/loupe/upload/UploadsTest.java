package dev.loupe.upload;

import dev.loupe.testing.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.api.Body;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.blob.BlobStore;
import dev.loupe.blob.FileBlobStore;
import dev.loupe.catalog.Bucket;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.PostgresOptions;
import dev.loupe.testing.engines.Postgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload domain on its own, with a clock the test moves: expiry, restarts, the signing key. */
class UploadsTest {
    private static final Bucket BUCKET = new Bucket("bkt_test", "ns_test", "photos", null, Json.object(), Json.object(), "", "");

    private static UploadRequest request(int expiration, long size) {
        return UploadRequest.parse(Body.of(Json.read("""
                {"filename": "a.jpg", "content_type": "image/jpeg", "blob_property": "image", "presigned_url_expiration": %d, "file_size_bytes": %d}"""
                .formatted(expiration, size))), null, null, 1 << 20);
    }

    /** The query parameters of a presigned path, in {@link Uploads#receive}'s order. */
    private record Url(String id, long expires, long max, String signature) {
        static Url of(String path) {
            String id = path.substring(Uploads.PATH.length(), path.indexOf('?'));
            java.util.Map<String, String> q = new java.util.HashMap<>();
            for (String kv : path.substring(path.indexOf('?') + 1).split("&")) q.put(kv.split("=")[0], kv.split("=")[1]);
            return new Url(id, Long.parseLong(q.get("expires")), Long.parseLong(q.get("max_bytes")), q.get("signature"));
        }
    }

    @Test
    void aUrlPastItsExpiryIsRefusedAndTheUploadReadsExpired(@TempDir Path dir) {
        ManualClock clock = new ManualClock();
        try (Database db = new Database(dir.resolve("catalog.db"))) {
            Uploads uploads = new Uploads(new Catalog(db), new FileBlobStore(dir.resolve("blobs")), UploadSigner.inDirectory(dir), 1 << 20, clock);
            Upload u = uploads.create("ns_test", BUCKET, request(60, 3)).upload();
            Url url = Url.of(uploads.presignedPath(u));
            clock.advance(Duration.ofSeconds(61));
            LoupeException.Forbidden refused = assertThrows(LoupeException.Forbidden.class, () -> uploads.receive(url.id(), url.expires(),
                    url.max(), url.signature(), OptionalLong.of(3), Optional.empty(), new ByteArrayInputStream(new byte[3])));
            assertTrue(refused.getMessage().contains("expired"), refused.getMessage());
            Upload read = uploads.require("ns_test", BUCKET.bucketId(), u.uploadId());
            assertEquals(UploadStatus.EXPIRED, read.statusAt(clock.instant()));
            assertEquals("FAILED", read.statusAt(clock.instant()).wire(), "Mixpeek: an upload not completed by expires_at is FAILED");
            assertThrows(LoupeException.Conflict.class, () -> uploads.confirm("ns_test", BUCKET.bucketId(),
                    new Uploads.Confirmation(u.uploadId(), Optional.empty(), Optional.empty()), x -> "obj_never"));
        }
    }

    @Test
    void aPutCutShortByAStopIsGivenBackAtTheNextStartAndItsLateEndIsRefused(@TempDir Path dir) throws Exception {
        ManualClock clock = new ManualClock();
        try (Database db = new Database(dir.resolve("catalog.db"))) {
            Uploads uploads = new Uploads(new Catalog(db), new FileBlobStore(dir.resolve("blobs")), UploadSigner.inDirectory(dir), 1 << 20, clock);
            Upload u = uploads.create("ns_test", BUCKET, request(600, 3)).upload();
            Url url = Url.of(uploads.presignedPath(u));
            HeldBody slow = new HeldBody();
            CompletableFuture<Upload> put = CompletableFuture.supplyAsync(() -> uploads.receive(url.id(), url.expires(), url.max(),
                    url.signature(), OptionalLong.empty(), Optional.empty(), slow));
            assertTrue(slow.reading.await(10, TimeUnit.SECONDS));
            assertEquals(UploadStatus.RECEIVING, uploads.require("ns_test", BUCKET.bucketId(), u.uploadId()).status());
            assertThrows(LoupeException.Conflict.class, () -> uploads.receive(url.id(), url.expires(), url.max(), url.signature(),
                    OptionalLong.empty(), Optional.empty(), new ByteArrayInputStream(new byte[3])), "one PUT at a time");

            // What a restart does: the claim of a PUT that no process serves any more is given back.
            new Uploads(new Catalog(db), new FileBlobStore(dir.resolve("blobs")), UploadSigner.inDirectory(dir), 1 << 20, clock).recover();
            assertEquals(UploadStatus.PENDING, uploads.require("ns_test", BUCKET.bucketId(), u.uploadId()).status());
            slow.release.countDown();
            Exception late = assertThrows(Exception.class, put::join);
            assertTrue(late.getCause() instanceof LoupeException.Conflict, String.valueOf(late.getCause()));
            Upload again = uploads.receive(url.id(), url.expires(), url.max(), url.signature(), OptionalLong.of(3), Optional.empty(),
                    new ByteArrayInputStream("abc".getBytes()));
            assertEquals(UploadStatus.UPLOADED, again.status(), "the URL works again");
        }
    }

    /** A three-byte body that holds its first byte until {@link #release} opens, so a PUT stays RECEIVING meanwhile. */
    private static final class HeldBody extends InputStream {
        final CountDownLatch reading = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private int sent;

        @Override
        public int read() throws IOException {
            if (sent == 0) {
                reading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            return sent++ < 3 ? 'x' : -1;
        }
    }

    @Test
    void onASharedCatalogANodeStartingLeavesAnotherNodesPutToFinish(@TempDir Path dir) throws Exception {
        ManualClock clock = new ManualClock();
        PostgresOptions shared = Postgres.shared().freshDatabase(2);
        try (Database first = Database.postgres(shared); Database second = Database.postgres(shared)) {
            Uploads onFirst = new Uploads(new Catalog(first), new FileBlobStore(dir.resolve("blobs")), UploadSigner.forNode(first, dir), 1 << 20, clock);
            Upload u = onFirst.create("ns_test", BUCKET, request(600, 3)).upload();
            Url url = Url.of(onFirst.presignedPath(u));
            HeldBody slow = new HeldBody();
            CompletableFuture<Upload> put = CompletableFuture.supplyAsync(() -> onFirst.receive(url.id(), url.expires(), url.max(),
                    url.signature(), OptionalLong.empty(), Optional.empty(), slow));
            try {
                assertTrue(slow.reading.await(10, TimeUnit.SECONDS));
                // Another node starts while the first one receives: the claim is not its to give back.
                new Uploads(new Catalog(second), new FileBlobStore(dir.resolve("blobs-2")), UploadSigner.forNode(second, dir), 1 << 20, clock).recover();
                assertEquals(UploadStatus.RECEIVING, onFirst.require("ns_test", BUCKET.bucketId(), u.uploadId()).status());
            } finally {
                slow.release.countDown(); // a held PUT would hold the common pool's thread from the other tests
            }
            assertEquals(UploadStatus.UPLOADED, put.get(10, TimeUnit.SECONDS).status(), "the first node's PUT ends as it would alone");
        }
    }

    @Test
    void theSigningKeyIsMadeOncePrivateAndKeptAcrossStarts(@TempDir Path dir) throws IOException {
        UploadSigner first = UploadSigner.inDirectory(dir);
        Path file = dir.resolve(UploadSigner.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String signature = first.sign("upl_x", 100, 5);
        UploadSigner second = UploadSigner.inDirectory(dir);
        assertTrue(second.verify("upl_x", 100, 5, signature), "a restart keeps outstanding URLs valid");
        assertFalse(second.verify("upl_x", 100, 6, signature));
        assertFalse(second.verify("upl_y", 100, 5, signature));
        assertFalse(new UploadSigner(new byte[32]).verify("upl_x", 100, 5, signature), "another server's key does not verify");

        Files.writeString(file, "not a key");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> UploadSigner.inDirectory(dir));
        assertTrue(e.getMessage().contains(UploadSigner.FILE), e.getMessage());
    }
}
