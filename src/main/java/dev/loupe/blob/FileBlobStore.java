package dev.loupe.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Content-addressed files under one directory: {@code <root>/ab/abcdef….<ext>}, named by
 * the SHA-256 of their bytes. A file is written to a temporary name, fsynced, then
 * renamed, so a reader never sees a partial file and a crash leaves at most a stray
 * temporary. Identical content is stored once.
 */
public final class FileBlobStore implements BlobStore {
    private final Path root;

    public FileBlobStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create blob directory " + root, e);
        }
    }

    @Override
    public String put(byte[] bytes, String extension) {
        String sha = BlobStore.sha256(bytes);
        Path target = path(new BlobName(sha, extension));
        if (Files.exists(target)) return sha;
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            move(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob " + sha, e);
        }
        return sha;
    }

    @Override
    public Stored put(InputStream in, long minBytes, long maxBytes, String extension) throws IOException {
        Spool spool = Spool.of(in, minBytes, maxBytes, root);
        try {
            Path target = path(new BlobName(spool.stored().sha256(), extension));
            Files.createDirectories(target.getParent());
            if (!Files.exists(target)) move(spool.file(), target);
            return spool.stored();
        } finally {
            Files.deleteIfExists(spool.file());
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public byte[] read(String sha, String extension) {
        try {
            return Files.readAllBytes(path(new BlobName(sha, extension)));
        } catch (IOException e) {
            throw new UncheckedIOException("stored blob " + sha + " is missing", e);
        }
    }

    @Override
    public Optional<InputStream> lookup(String sha, String extension) {
        Optional<Path> file = BlobName.ofUntrusted(sha, extension).map(this::path).filter(Files::isRegularFile);
        if (file.isEmpty()) return Optional.empty();
        try {
            return Optional.of(Files.newInputStream(file.get()));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("stored blob " + sha + " cannot be read", e);
        }
    }

    private Path path(BlobName name) {
        return root.resolve(name.relative());
    }
}
