package dev.loupe.blob;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Content-addressed bytes: each is stored once under the SHA-256 of its content and an
 * extension, {@code ab/abcdef….<ext>} ({@link BlobName}). {@link FileBlobStore} keeps them as
 * files under one directory of this machine; {@link S3BlobStore} as objects of an S3 bucket,
 * which every node of a deployment reads, so a thumbnail one node wrote is served by any.
 * A stored name is never partially visible, and storing content already there changes nothing.
 */
public sealed interface BlobStore permits FileBlobStore, S3BlobStore {

    /** Stores bytes and returns their hex SHA-256. */
    String put(byte[] bytes, String extension);

    /**
     * Stores a stream of {@code minBytes} to {@code maxBytes}, hashing it on the way to a temporary
     * file, so that a large upload is never held in memory. A stream that goes past the bound is
     * refused as soon as the first byte too many arrives ({@link TooLong}), one that ends short
     * when it ends ({@link TooShort}); on any failure nothing is visible under the content's name.
     */
    Stored put(InputStream in, long minBytes, long maxBytes, String extension) throws IOException;

    /** The bytes of a stored name; a missing one is an error (the caller holds a name it was given). */
    byte[] read(String sha, String extension);

    /**
     * The content for a name taken from a URL, as a stream the caller closes; empty unless it is a
     * well-formed stored name, so no text becomes a path or an object key of its choosing.
     */
    Optional<InputStream> lookup(String sha, String extension);

    /** What {@link #put(InputStream, long, long, String)} stored: the content's name, its MD5 (S3's ETag) and its length. */
    record Stored(String sha256, String md5, long sizeBytes) {
    }

    /** A stream that went on past the bytes it was allowed; nothing of it was kept. */
    final class TooLong extends IOException {
        public TooLong(long maxBytes) {
            super("more than the " + maxBytes + " bytes allowed");
        }
    }

    /** A stream that ended before the bytes it owed; nothing of it was kept. */
    final class TooShort extends IOException {
        public TooShort(long received, long minBytes) {
            super(received + " bytes received, " + minBytes + " expected");
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Spool.digest("SHA-256").digest(bytes));
    }
}
