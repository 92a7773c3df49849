package dev.loupe.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Content-addressed files under one directory: {@code <root>/ab/abcdef….<ext>}, named by
 * the SHA-256 of their bytes. A file is written to a temporary name, fsynced, then
 * renamed, so a reader never sees a partial file and a crash leaves at most a stray
 * temporary. Identical content is stored once.
 */
public final class BlobStore {
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,8}");

    private final Path root;

    public BlobStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob directory " + root, e);
        }
    }

    /** Stores bytes and returns their hex SHA-256. */
    public String put(byte[] bytes, String extension) {
        String sha = sha256(bytes);
        Path target = path(sha, extension);
        if (Files.exists(target)) return sha;
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob " + sha, e);
        }
        return sha;
    }

    /** What {@link #put(InputStream, long, String)} stored: the content's name, its MD5 (S3's ETag) and its length. */
    public record Stored(String sha256, String md5, long sizeBytes) {
    }

    /** A stream that went on past the bytes it was allowed; nothing of it was kept. */
    public static final class TooLong extends IOException {
        public TooLong(long maxBytes) {
            super("more than the " + maxBytes + " bytes allowed");
        }
    }

    /** A stream that ended before the bytes it owed; nothing of it was kept. */
    public static final class TooShort extends IOException {
        public TooShort(long received, long minBytes) {
            super(received + " bytes received, " + minBytes + " expected");
        }
    }

    /**
     * Stores a stream of {@code minBytes} to {@code maxBytes}, hashing it on the way to a temporary
     * file, so that a large upload is never held in memory. A stream that goes past the bound is
     * refused as soon as the first byte too many arrives ({@link TooLong}), one that ends short
     * when it ends ({@link TooShort}); on any failure the temporary file is removed and nothing is
     * visible under the content's name.
     */
    public Stored put(InputStream in, long minBytes, long maxBytes, String extension) throws IOException {
        MessageDigest sha = digest("SHA-256");
        MessageDigest md5 = digest("MD5");
        Files.createDirectories(root);
        Path tmp = Files.createTempFile(root, ".incoming-", ".tmp");
        try {
            long size = 0;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    size += n;
                    if (size > maxBytes) throw new TooLong(maxBytes);
                    sha.update(buffer, 0, n);
                    md5.update(buffer, 0, n);
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buffer, 0, n);
                    while (b.hasRemaining()) ch.write(b);
                }
                ch.force(true);
            }
            if (size < minBytes) throw new TooShort(size, minBytes);
            String name = HexFormat.of().formatHex(sha.digest());
            Path target = path(name, extension);
            Files.createDirectories(target.getParent());
            if (Files.exists(target)) {
                Files.delete(tmp);
            } else {
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return new Stored(name, HexFormat.of().formatHex(md5.digest()), size);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from this JVM", e);
        }
    }

    public byte[] read(String sha, String extension) {
        try {
            return Files.readAllBytes(path(sha, extension));
        } catch (IOException e) {
            throw new UncheckedIOException("stored blob " + sha + " is missing", e);
        }
    }

    /** The file for a name taken from a URL; empty unless it is a well-formed stored name. */
    public Optional<Path> lookup(String sha, String extension) {
        if (!NAME.matcher(sha).matches()) return Optional.empty();
        Path p = path(sha, extension);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** The only way from a name to a file: anything but a hex SHA-256 and a short extension is refused, so no text becomes a path. */
    private Path path(String sha, String extension) {
        if (!NAME.matcher(sha).matches() || !EXTENSION.matcher(extension).matches()) {
            throw new IllegalArgumentException("not a stored blob name: " + (sha.length() > 80 ? sha.substring(0, 80) + "…" : sha));
        }
        return root.resolve(sha.substring(0, 2)).resolve(sha + "." + extension);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
