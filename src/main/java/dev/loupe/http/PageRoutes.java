package dev.loupe.http;

import dev.loupe.api.LoupeException;
import dev.loupe.blob.BlobStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The search page: {@code GET /} (its HTML) and {@code GET /web/{file}} (its modules, styles
 * and icons), hand-written files under {@code src/main/resources/web/} served from memory.
 * Only the files named in {@link #ASSETS} are served, so nothing else on the class path can be
 * reached through here. Every answer carries a Content-Security-Policy that lets the page load
 * and call nothing but this server (and {@code --public-url}, where thumbnails and upload URLs
 * point when it is set), and revalidates with an ETag so an upgraded server is seen at once.
 */
final class PageRoutes implements ApiServer.Routes {
    static final String ASSET_PREFIX = "/web/";
    /** The page's files (index.html is also served at {@code /}); a file not named here is not served. */
    static final List<String> ASSETS = List.of("index.html", "app.css", "icon.svg", "app.js", "api.js", "dom.js", "signin.js",
            "search.js", "facets.js", "grid.js", "detail.js", "people.js", "tasks.js", "upload.js");

    private record Asset(byte[] bytes, String contentType, String etag) {
    }

    private final Map<String, Asset> files;
    private final String policy;

    PageRoutes(Optional<String> publicUrl) {
        Map<String, Asset> loaded = new LinkedHashMap<>();
        for (String name : ASSETS) {
            byte[] bytes = read(name);
            loaded.put(name, new Asset(bytes, contentType(name), "\"" + BlobStore.sha256(bytes).substring(0, 32) + "\""));
        }
        this.files = Map.copyOf(loaded);
        this.policy = policy(publicUrl);
    }

    @Override
    public void register(RoutesConfig r) {
        r.get("/", ctx -> serve(ctx, "index.html"));
        r.get(ASSET_PREFIX + "{file}", ctx -> serve(ctx, ctx.pathParam("file")));
    }

    /**
     * Same origin only, plus the public URL's origin for images and requests. No inline script
     * or style (the page has none), no plugins, no framing, no base-URI or form redirection.
     */
    static String policy(Optional<String> publicUrl) {
        String extra = publicUrl.map(u -> " " + origin(u)).orElse("");
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:" + extra
                + "; connect-src 'self'" + extra + "; font-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    }

    private void serve(Context ctx, String name) {
        Asset asset = files.get(name);
        if (asset == null) throw LoupeException.notFound("page asset", name);
        ctx.header("Content-Security-Policy", policy);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("ETag", asset.etag());
        if (asset.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.status(200).contentType(asset.contentType()).result(asset.bytes());
    }

    private static String origin(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    private static byte[] read(String name) {
        try (InputStream in = PageRoutes.class.getResourceAsStream("/web/" + name)) {
            if (in == null) throw new IllegalStateException("the search page's file web/" + name + " is missing from the class path");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Module scripts must come as JavaScript, or the browser refuses them. */
    static String contentType(String name) {
        String extension = name.substring(name.lastIndexOf('.') + 1);
        return switch (extension) {
            case "html" -> "text/html; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "svg" -> "image/svg+xml";
            default -> throw new IllegalArgumentException("the search page has no ." + extension + " files: " + name);
        };
    }
}
