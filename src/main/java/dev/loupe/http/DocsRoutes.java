package dev.loupe.http;

import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.http.openapi.ApiDocument;
import dev.loupe.http.openapi.Operation;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /openapi.json} (Loupe's own OpenAPI 3.1 document, built once from
 * {@link dev.loupe.http.openapi.Operations}) and {@code GET /docs}, which renders it with
 * Swagger UI from the {@code org.webjars:swagger-ui} jar on the class path: every file the page
 * loads comes from this server, and its Content-Security-Policy lets it load nothing else.
 * Neither needs a key, as a description of a public API needs none.
 */
final class DocsRoutes implements ApiServer.Routes {
    static final String DOCUMENT = "/openapi.json";
    static final String PAGE = "/docs";
    private static final String ASSETS = "/docs/assets/";
    private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";

    /**
     * Scripts, styles and requests from this origin only, no inline script or style (Swagger UI
     * sets styles through the DOM, which the policy allows); its icons are data: images.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** What the page may load, by name under {@code /docs/assets/}: a closed list, so no path reaches other class path files. */
    private record Asset(String resource, String contentType) {
    }

    private final byte[] document;
    /** Empty when the webjar is missing (a stale build): /docs then says so, and the API runs on. */
    private final Optional<Map<String, Asset>> assets;
    private final Map<String, byte[]> loaded = new ConcurrentHashMap<>();

    DocsRoutes(List<Operation> operations) {
        this.document = Json.write(ApiDocument.of(operations, "v1")).getBytes(StandardCharsets.UTF_8);
        this.assets = swaggerUiVersion().map(version -> WEBJAR + version + "/").map(webjar -> Map.of(
                "swagger-ui.css", new Asset(webjar + "swagger-ui.css", "text/css; charset=utf-8"),
                "swagger-ui-bundle.js", new Asset(webjar + "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
                "favicon-32x32.png", new Asset(webjar + "favicon-32x32.png", "image/png"),
                "docs.js", new Asset("docs/docs.js", "text/javascript; charset=utf-8")));
    }

    @Override
    public void register(RoutesConfig r) {
        r.get(DOCUMENT, ctx -> ctx.status(200).contentType("application/json").result(document));
        r.get(PAGE, this::page);
        r.get(ASSETS + "{file}", this::asset);
    }

    private void page(Context ctx) {
        installed();
        ctx.header("Content-Security-Policy", CSP);
        ctx.status(200).contentType("text/html; charset=utf-8").result(bytes("docs/index.html"));
    }

    private void asset(Context ctx) {
        String file = ctx.pathParam("file");
        Asset asset = installed().get(file);
        if (asset == null) throw LoupeException.notFound("documentation asset", file);
        ctx.header("Cache-Control", "public, max-age=3600");
        ctx.status(200).contentType(asset.contentType()).result(loaded.computeIfAbsent(asset.resource(), DocsRoutes::bytes));
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = DocsRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing from the class path: " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Asset> installed() {
        return assets.orElseThrow(() -> LoupeException.unavailable(
                "the /docs page needs org.webjars:swagger-ui on the class path; rebuild (mvn package); /openapi.json works without it"));
    }

    /** The webjar's version, from its own Maven metadata, so a dependency update needs no edit here. */
    private static Optional<String> swaggerUiVersion() {
        Properties p = new Properties();
        try (InputStream in = DocsRoutes.class.getClassLoader().getResourceAsStream("META-INF/maven/org.webjars/swagger-ui/pom.properties")) {
            if (in == null) return Optional.empty();
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Optional.ofNullable(p.getProperty("version"));
    }
}
