package dev.loupe.blob;

import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Loupe's two stores, sources ({@code blobs/}) and thumbnails ({@code thumbnails/}): directories
 * of the data directory, or prefixes of one S3 bucket that every node reads
 * ({@code --blob-store s3}); {@link #close} releases the S3 client.
 */
public record BlobStores(BlobStore sources, BlobStore thumbnails, Optional<S3Client> client) implements AutoCloseable {
    public static final String SOURCES = "blobs";
    public static final String THUMBNAILS = "thumbnails";

    /** The stores {@code s3} names, or the file stores under {@code dataDir}; an S3 bucket that cannot be reached fails the start. */
    public static BlobStores open(Optional<S3Settings> s3, Path dataDir) {
        if (s3.isEmpty()) {
            return new BlobStores(new FileBlobStore(dataDir.resolve(SOURCES)), new FileBlobStore(dataDir.resolve(THUMBNAILS)), Optional.empty());
        }
        S3Client client = S3BlobStore.client(s3.get());
        try {
            // Uploads are spooled on local disk before they are named and sent.
            Path spool = dataDir.resolve("blob-spool");
            S3BlobStore sources = new S3BlobStore(client, s3.get().bucket(), SOURCES + "/", spool);
            sources.checkBucket();
            return new BlobStores(sources, new S3BlobStore(client, s3.get().bucket(), THUMBNAILS + "/", spool), Optional.of(client));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    @Override
    public void close() {
        client.ifPresent(S3Client::close);
    }
}
