package dev.loupe.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A bounded stream written to a fsynced temporary file in {@code dir} while its SHA-256 and MD5
 * are computed: both stores name content only once all of it has arrived, and neither holds it
 * in memory. The caller moves or uploads {@link #file} and then deletes it (it is removed here
 * on any failure).
 */
record Spool(Path file, BlobStore.Stored stored) {

    static Spool of(InputStream in, long minBytes, long maxBytes, Path dir) throws IOException {
        MessageDigest sha = digest("SHA-256");
        MessageDigest md5 = digest("MD5");
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".incoming-", ".tmp");
        try {
            long size = 0;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    size += n;
                    if (size > maxBytes) throw new BlobStore.TooLong(maxBytes);
                    sha.update(buffer, 0, n);
                    md5.update(buffer, 0, n);
                    ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                    while (b.hasRemaining()) ch.write(b);
                }
                ch.force(true);
            }
            if (size < minBytes) throw new BlobStore.TooShort(size, minBytes);
            HexFormat hex = HexFormat.of();
            return new Spool(tmp, new BlobStore.Stored(hex.formatHex(sha.digest()), hex.formatHex(md5.digest()), size));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }
}
