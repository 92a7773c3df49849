package dev.loupe.http;

import dev.loupe.api.LoupeException;
import dev.loupe.blob.BlobStore;
import dev.loupe.blob.ThumbnailRef;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.InputStream;

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
        r.get(ThumbnailRef.PREFIX + "{file}", this::get);
    }

    private void get(Context ctx) {
        String file = ctx.pathParam("file");
        InputStream stored = ThumbnailRef.ofFileName(file).flatMap(ref -> thumbnails.lookup(ref.sha256(), ThumbnailRef.EXTENSION))
                .orElseThrow(() -> LoupeException.notFound("thumbnail", file));
        // Javalin copies the stream to the response and closes it (an S3 object streams through).
        ctx.status(200).contentType("image/jpeg").header("Cache-Control", "public, max-age=31536000, immutable").result(stored);
    }
}
