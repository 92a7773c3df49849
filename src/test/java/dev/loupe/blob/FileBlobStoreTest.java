package dev.loupe.blob;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@link BlobStoreContract} for files under a directory. */
class FileBlobStoreTest extends BlobStoreContract {
    private Path root;

    @Override
    BlobStore newStore(Path dir) {
        root = dir.resolve("blobs");
        return new FileBlobStore(root);
    }

    @Override
    List<Path> filesOf(BlobStore store) throws Exception {
        try (var files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Override
    Path fileOf(BlobStore store, String sha, String extension) {
        return root.resolve(sha.substring(0, 2)).resolve(sha + "." + extension);
    }
}
