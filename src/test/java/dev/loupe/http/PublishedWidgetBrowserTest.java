package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Browser;
import dev.loupe.testing.Products;
import dev.loupe.testing.StaticSite;
import dev.loupe.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * Mixpeek's own search widget ({@code ../shared/clients/mixpeek-searchkit}, built with npm by
 * {@code scripts/searchkit-page.sh} into the test pages of {@code src/test/searchkit}: one bundled
 * with vite, one with no build step) on a site of another origin, in Chromium, searching a retriever
 * Loupe published: what a shop embedding it sees.
 */
class PublishedWidgetBrowserTest {
    /** The built page; {@code ./loupe test} builds it, and without it this test fails rather than skips. */
    static final Path PAGE = Path.of("target", "searchkit", "page", "dist");

    @RegisterExtension
    static final Browser browser = Browser.open();
    @TempDir
    static Path data;
    private static TestServer server;
    private static Api api;
    private static StaticSite site;
    private static String key;

    @BeforeAll
    static void shop() throws Exception {
        assertTrue(Files.isRegularFile(PAGE.resolve("index.html")), "the search widget's test page is not built: run scripts/searchkit-page.sh"
                + " (./loupe test does), which needs node and npm");
        server = new TestServer(data);
        api = server.admin(null);
        Products products = Products.bucket(api, "p");
        List<String> colours = List.of("red", "orange", "yellow", "green", "blue", "purple", "black", "white");
        for (int i = 0; i < colours.size(); i++) products.add(colours.get(i), i, "{\"name\": \"%s bag\", \"price\": %d}".formatted(colours.get(i), 10 + i));
        products.collection("c");
        String retriever = PublishedRetrieversTest.retriever(api, "shop");
        key = api.ok("POST", "/v1/retrievers/" + retriever + "/publish", """
                {"public_name": "shop-search", "display_config": {"title": "Shop", "inputs": [{"field_name": "query", "field_schema": {"type": "text"}, "label": "Search"}],
                  "exposed_fields": ["metadata.price"], "field_mappings": {"title": "metadata.name", "image_url": "thumbnail_url"}}}""")
                .path("public_api_key").asText();
        // Another origin than Loupe's: another host name and another port.
        site = StaticSite.serve(PAGE, "localhost");
    }

    @AfterAll
    static void stop() {
        if (site != null) site.close();
        if (server != null) server.close();
    }

    private static void open(String publicKey) {
        browser.go(site.origin() + "/index.html?api=" + enc(server.base()) + "&key=" + enc(publicKey) + "&slug=shop-search&max=5");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aQueryTypedInTheWidgetShowsLoupesResultsWithTheStagesStreamedAsTheyRan() throws Exception {
        open(key);
        WebElement input = browser.visible(".mixpeek-modal .mixpeek-search-input");
        input.sendKeys("red");
        WebElement first = browser.withText(".mixpeek-result-card .mixpeek-result-title", "bag");
        assertEquals("red bag", first.getText(), "the fixture encoder ranks the red product first");
        browser.until("document.querySelectorAll('.mixpeek-result-card').length === 5");
        // The pipeline tracker is drawn from the stage events only: this search was streamed.
        browser.until("document.querySelectorAll('.mixpeek-pipeline-stage[data-status=\"complete\"]').length === 2");
        List<String> stages = browser.all(".mixpeek-pipeline-stage .mixpeek-pipeline-label").stream().map(WebElement::getText).toList();
        assertEquals(List.of("Search", "First"), stages);
        // The widget counts the documents each stage's event carried: the best 5 of 8 (its maxResults).
        assertEquals(List.of("5", "5"), browser.all(".mixpeek-pipeline-stage .mixpeek-pipeline-count").stream().map(WebElement::getText).toList());
        // The thumbnail Loupe stored, loaded from Loupe by the page.
        WebElement img = browser.visible(".mixpeek-result-card .mixpeek-result-thumbnail img");
        assertTrue(img.getAttribute("src").startsWith(server.base() + "/thumbnails/"), img.getAttribute("src"));
        browser.until("document.querySelector('.mixpeek-result-thumbnail img').naturalWidth > 0");
        assertTrue(browser.all(".mixpeek-error").isEmpty(), "no error shown");
        // What README's docs/searchkit-on-loupe.png was taken from.
        browser.screenshot(Path.of("target", "screenshots", "searchkit-on-loupe.png"));
    }

    @Test
    void theWidgetsOwnJsonClientReadsLoupesAnswerAcrossOrigins() {
        open(key);
        browser.until("typeof window.loupeSearch === 'function'");
        Object answer = ((JavascriptExecutor) browser.driver()).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "window.loupeSearch('blue', 3).then(r => done(JSON.stringify(r)), e => done('error: ' + e.message));");
        JsonNode response = Api.parse(String.valueOf(answer));
        assertEquals(3, response.path("results").size(), String.valueOf(answer));
        assertEquals("blue bag", response.path("results").get(0).path("title").asText());
        assertEquals(10 + 4, response.path("results").get(0).path("metadata").path("price").asInt());
    }

    @Test
    void thePageWithoutABuildStepThatTheReadmeShowsSearchesLoupe() {
        browser.go(site.origin() + "/embed.html?api=" + enc(server.base()) + "&key=" + enc(key) + "&slug=shop-search");
        browser.visible(".mixpeek-inline .mixpeek-search-input").sendKeys("green");
        WebElement first = browser.withText(".mixpeek-inline .mixpeek-result-card .mixpeek-result-title", "bag");
        assertEquals("green bag", first.getText());
        browser.until("document.querySelectorAll('.mixpeek-inline .mixpeek-result-card').length === 5");
    }

    @Test
    void aRefusedKeyIsShownInTheWidgetWithLoupesReason() {
        open("ret_sk_" + "x".repeat(40));
        browser.visible(".mixpeek-modal .mixpeek-search-input").sendKeys("red");
        WebElement error = browser.withText(".mixpeek-error", "public key");
        assertTrue(error.getText().contains("invalid or revoked public key"), error.getText());
    }
}
