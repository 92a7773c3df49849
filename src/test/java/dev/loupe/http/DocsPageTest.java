package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.testing.Browser;
import dev.loupe.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** The /docs page in Chromium: Swagger UI renders /openapi.json from files this server serves, and nothing else is fetched. */
class DocsPageTest {
    @RegisterExtension
    static final Browser browser = Browser.open();

    @TempDir
    static Path data;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(data);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void thePageRendersTheDocumentAndOpensAnOperationWithItsBodyFields() {
        browser.go(server.base() + "/docs");
        WebElement create = browser.visible("#operations-Buckets-post_v1_buckets");
        assertEquals("/v1/buckets", create.findElement(By.cssSelector(".opblock-summary-path")).getAttribute("data-path"));
        assertTrue(create.getText().contains("Create a bucket"), create.getText());
        create.findElement(By.cssSelector(".opblock-summary-control")).click();
        browser.withText("#operations-Buckets-post_v1_buckets .opblock-body", "bucket_name");
        // A route of Loupe's own shows its mark.
        WebElement keys = browser.visible("#operations-API_keys-post_v1_api_keys");
        keys.findElement(By.cssSelector(".opblock-summary-control")).click();
        browser.withText("#operations-API_keys-post_v1_api_keys .opblock-body", "x-loupe-extension");
    }

    @Test
    void everyFileThePageLoadsComesFromThisServer() {
        browser.go(server.base() + "/docs");
        // Opened, so that the parts drawn on demand (schemas, highlighted examples) are drawn under the policy too.
        browser.visible("#operations-Buckets-post_v1_buckets .opblock-summary-control").click();
        browser.withText("#operations-Buckets-post_v1_buckets .opblock-body", "bucket_name");
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) browser.script(
                "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])");
        assertTrue(loaded.stream().anyMatch(u -> u.endsWith("/docs/assets/swagger-ui-bundle.js")), loaded.toString());
        assertTrue(loaded.stream().anyMatch(u -> u.endsWith("/openapi.json")), loaded.toString());
        for (String url : loaded) assertTrue(url.startsWith(server.base() + "/") || url.startsWith("data:"), "fetched from elsewhere: " + url);
        List<String> refused = browser.console().stream().filter(m -> m.contains("Content Security Policy") || m.contains("SEVERE")).toList();
        assertEquals(List.of(), refused, "the page broke its own policy or failed to load something");
    }

    @Test
    void thePageForbidsThirdPartyLoadsAndAssetsOutsideItsListAreNotFound() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/docs")).build(), HttpResponse.BodyHandlers.ofString());
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        for (String directive : List.of("default-src 'none'", "script-src 'self';", "style-src 'self';", "connect-src 'self'")) {
            assertTrue(csp.contains(directive), directive + " in " + csp);
        }
        for (String name : List.of("index.html", "swagger-initializer.js", "..%2F..%2Fdocs%2Findex.html", "pom.properties")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/docs/assets/" + name)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, r.statusCode(), name + ": " + r.body());
            assertTrue(r.body().contains("\"NotFoundError\""), r.body());
        }
    }
}
