package dev.loupe.http;

import dev.loupe.api.LoupeException;
import dev.loupe.blob.BlobStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * {@code GET /thumbnails/{sha256}.jpg}: serves thumbnails without a key, like a
 * presigned URL: the name is the SHA-256 of the thumbnail, which cannot be guessed
 * without having the image.
 */
final class ThumbnailRoutes implements ApiServer.Routes {
    private final BlobStore thumbnails;

    ThumbnailRoutes(BlobStore thumbnails) {
        this.thumbnails = thumbnails;
    }

    @Override
    public void register(RoutesConfig r) {
        r.get("/thumbnails/{file}", this::get);
    }

    private void get(Context ctx) {
        String file = ctx.pathParam("file");
        String sha = file.endsWith(".jpg") ? file.substring(0, file.length() - 4) : file;
        var path = thumbnails.lookup(sha, "jpg").orElseThrow(() -> LoupeException.notFound("thumbnail", file));
        try {
            ctx.status(200).contentType("image/jpeg").header("Cache-Control", "public, max-age=31536000, immutable")
                    .result(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
