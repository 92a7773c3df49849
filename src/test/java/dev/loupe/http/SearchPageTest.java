package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Browser;
import dev.loupe.testing.Images;
import dev.loupe.testing.Products;
import dev.loupe.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The search page at {@code /} in headless Chromium, against a Loupe on the fixture colour
 * encoder: eight photographed products in namespace {@code shop} (the page starts in
 * {@code default}, which is empty), and an empty bucket and collection in {@code inbox} for
 * the upload box.
 */
class SearchPageTest {
    @RegisterExtension
    static final Browser browser = Browser.open();
    @TempDir
    static Path dir;
    private static TestServer server;

    /** name → {colour, brand, category}. */
    private static final List<String[]> PRODUCTS = List.of(
            new String[] {"Red bag", "red", "Acme", "bag"},
            new String[] {"Red shoe", "red", "Globex", "shoe"},
            new String[] {"Blue shoe", "blue", "Acme", "shoe"},
            new String[] {"Green bag", "green", "Initech", "bag"},
            new String[] {"Yellow hat", "yellow", "Globex", "hat"},
            new String[] {"Purple hat", "purple", "Acme", "hat"},
            new String[] {"Orange bag", "orange", "Initech", "bag"},
            new String[] {"White shoe", "white", "Globex", "shoe"});

    @BeforeAll
    static void start() {
        server = new TestServer(dir.resolve("data"));
        Api admin = server.admin(null);
        admin.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"shop\"}");
        admin.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"inbox\"}");
        Products shop = Products.bucket(server.admin("shop"), "products");
        long seed = 1;
        for (String[] p : PRODUCTS) {
            shop.add(p[1], seed++, "{\"name\": \"%s\", \"brand\": \"%s\", \"category\": \"%s\"}".formatted(p[0], p[2], p[3]));
        }
        shop.collection("catalogue");
        Api inbox = server.admin("inbox");
        inbox.ok("POST", "/v1/buckets", "{\"bucket_name\": \"arrivals\", \"bucket_schema\": {}}");
        inbox.ok("POST", "/v1/collections", """
                {"collection_name": "arrivals", "source": {"type": "bucket", "bucket_ids": ["arrivals"]},
                 "feature_extractor": {"feature_extractor_name": "image_extractor", "version": "v1", "input_mappings": {"image": "img"}}}""");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static void open(String namespace, int documents) {
        SearchPage.open(browser, server, namespace, documents);
    }

    private static void awaitCards(int n) {
        SearchPage.awaitResults(browser, n);
    }

    private static List<String> captions() {
        return browser.all("#grid .card .caption").stream().map(WebElement::getText).toList();
    }

    private static WebElement active() {
        return browser.driver().switchTo().activeElement();
    }

    /** A key pressed on whatever has the focus, as a person would. */
    private static void press(CharSequence key) {
        new Actions(browser.driver()).sendKeys(key).perform();
    }

    @Test
    void signsInPicksANamespaceSearchesAndOpensADocumentFromTheKeyboard() {
        browser.go(server.base() + "/");
        browser.script("sessionStorage.clear()");
        browser.go(server.base() + "/");
        WebElement key = browser.visible("#apikey");
        assertEquals("apikey", active().getAttribute("id"), "the key field has the focus");
        key.sendKeys("lpk_not_a_key_at_all", Keys.ENTER);
        browser.withText("#signin-error", "not valid");
        key.clear();
        key.sendKeys(TestServer.ADMIN_KEY, Keys.ENTER);
        browser.visible("#workspace");
        assertEquals("default", new Select(browser.visible("#namespace")).getFirstSelectedOption().getText());
        browser.withText("#status", "no collections");

        new Select(browser.visible("#namespace")).selectByVisibleText("shop");
        awaitCards(PRODUCTS.size());
        assertEquals("catalogue", new Select(browser.visible("#collection")).getFirstSelectedOption().getText());

        WebElement query = browser.visible("#query");
        query.click();
        query.sendKeys("red", Keys.ENTER);
        browser.withText("#status", "“red”");
        awaitCards(PRODUCTS.size());
        List<String> top = captions().subList(0, 2);
        assertEquals(java.util.Set.of("Red bag", "Red shoe"), java.util.Set.copyOf(top), "the red products first: " + captions());
        String score = browser.all("#grid .card .score").getFirst().getText();
        assertTrue(Double.parseDouble(score) > 0.5, "a score is shown: " + score);

        // Tab from the search field to the first result, Enter opens it, Escape closes it.
        for (int i = 0; i < 60 && !"card".equals(active().getAttribute("class")); i++) press(Keys.TAB);
        WebElement card = active();
        assertEquals("card", card.getAttribute("class"), "the results can be reached with Tab");
        String cardId = card.getAttribute("data-document-id");
        assertEquals("solid", browser.script("return getComputedStyle(document.activeElement).outlineStyle"), "the focus is visible");
        press(Keys.ENTER);
        browser.until("document.querySelector('#detail').open");
        browser.withText("#detail-body", "brand");
        press(Keys.ESCAPE);
        browser.until("!document.querySelector('#detail').open");
        assertEquals(cardId, active().getAttribute("data-document-id"), "focus returns to the card that opened the detail");

        browser.visible("#signout").click();
        browser.visible("#apikey");
        assertEquals(null, browser.script("return sessionStorage.getItem('loupe.apiKey')"), "signing out forgets the key");
    }

    @Test
    void everyControlHasAnAccessibleName() {
        open("shop", PRODUCTS.size());
        @SuppressWarnings("unchecked")
        List<String> unnamed = (List<String>) browser.script("""
                const named = (el) => (el.getAttribute('aria-label') || '').trim() || (el.labels && [...el.labels].some(l => l.textContent.trim()))
                    || (el.tagName === 'BUTTON' && el.textContent.trim());
                return [...document.querySelectorAll('button, input, select')].filter(el => el.offsetParent !== null || el.type === 'file')
                    .filter(el => !named(el)).map(el => el.outerHTML.slice(0, 120));""");
        assertEquals(List.of(), unnamed, "controls without a name a screen reader can say");
        assertTrue(browser.all("button, input, select").size() > 20, "the page has its controls");
    }

    @Test
    void searchesByAnImageChosenFromDisk(@TempDir Path tmp) throws Exception {
        open("shop", PRODUCTS.size());
        Path yellow = Files.write(tmp.resolve("yellow-query.jpg"), Images.jpeg(Images.dominant(Images.BASIC.get("yellow"), 300, 200, 98)));
        browser.driver().findElement(org.openqa.selenium.By.id("image-input")).sendKeys(yellow.toString());
        browser.withText("#status", "yellow-query.jpg");
        awaitCards(PRODUCTS.size());
        assertEquals("Yellow hat", captions().getFirst(), "image-to-image: " + captions());
        browser.visible("#image-clear").click();
        assertEquals("image-input", active().getAttribute("id"), "removing the image leaves the focus on the chooser");
        browser.visible("#search-button").click();
        browser.withText("#status", "every document");
    }

    @Test
    void searchesByADroppedImage() {
        open("shop", PRODUCTS.size());
        String jpeg = Base64.getEncoder().encodeToString(Images.jpeg(Images.dominant(Images.BASIC.get("blue"), 300, 200, 99)));
        browser.script("""
                const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
                const dt = new DataTransfer();
                dt.items.add(new File([bytes], 'blue-query.jpg', {type: 'image/jpeg'}));
                document.querySelector('#search-form').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
                """, jpeg);
        browser.withText("#status", "blue-query.jpg");
        awaitCards(PRODUCTS.size());
        assertEquals("Blue shoe", captions().getFirst(), "image-to-image: " + captions());
        assertFalse(browser.visible("#image-chip").getAttribute("hidden") != null, "the query image is shown");
    }

    @Test
    void aFacetValueFiltersTheResultsAndItsChipRemovesTheFilter() {
        open("shop", PRODUCTS.size());
        WebElement acme = browser.visible("fieldset[data-field='metadata.brand'] button[data-value='Acme']");
        assertEquals("Acme (3)", acme.getText(), "facets count the values");
        acme.click();
        awaitCards(3);
        assertEquals(java.util.Set.of("Red bag", "Blue shoe", "Purple hat"), java.util.Set.copyOf(captions()));
        WebElement chip = browser.visible("#active-filters button");
        assertTrue(chip.getText().contains("brand = Acme"), chip.getText());
        assertEquals("true", browser.visible("fieldset[data-field='metadata.brand'] button[data-value='Acme']").getAttribute("aria-pressed"));
        // Facets of the other fields count within the filter.
        assertEquals("hat (1)", browser.visible("fieldset[data-field='metadata.category'] button[data-value='hat']").getText());

        browser.visible("#active-filters button").click();
        awaitCards(PRODUCTS.size());
        assertTrue(browser.all("#active-filters button").isEmpty());
    }

    @Test
    void theGridReflowsToTwoColumnsAtPhoneWidth() {
        open("shop", PRODUCTS.size());
        String columns = "getComputedStyle(document.querySelector('#grid')).gridTemplateColumns.split(' ').length";
        long desktop = (Long) browser.script("return " + columns);
        try {
            browser.driver().manage().window().setSize(new Dimension(390, 844));
            browser.until(columns + " <= 2");
            long phone = (Long) browser.script("return " + columns);
            assertTrue(desktop >= 4 && phone <= 2, "desktop " + desktop + " columns, phone " + phone);
            Boolean stacked = (Boolean) browser.script("""
                    const box = (css) => document.querySelector(css).getBoundingClientRect();
                    return box('#filters-box').bottom <= box('#results').top && box('#results').bottom <= box('#upload-box').top""");
            assertTrue(stacked, "at phone width the filters come above the results, the upload box below");
            assertEquals(Boolean.FALSE, browser.script("return document.documentElement.scrollWidth > document.documentElement.clientWidth"),
                    "nothing is wider than the phone");
        } finally {
            browser.driver().manage().window().setSize(new Dimension(1280, 900));
        }
    }

    @Test
    void everyRequestThePageMakesStaysOnThisServer() {
        open("shop", PRODUCTS.size());
        String origin = URI.create(server.base()).getScheme() + "://" + URI.create(server.base()).getAuthority();
        @SuppressWarnings("unchecked")
        List<String> urls = (List<String>) browser.script("return performance.getEntriesByType('resource').map(e => e.name)");
        assertTrue(urls.size() > 10, "the page loaded its modules, thumbnails and API answers: " + urls);
        for (String url : urls) assertTrue(url.startsWith(origin + "/"), "a request to another origin: " + url);
        assertTrue(browser.console().stream().noneMatch(l -> l.contains("Content Security Policy")), "no CSP violations: " + browser.console());
    }

    @Test
    void thePageAndItsFilesCarryAPolicyForbiddingOtherOriginsAndNothingElseIsServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        for (String directive : List.of("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")) {
            assertTrue(csp.contains(directive), directive + " in " + csp);
        }
        HttpResponse<String> module = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/web/app.js")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, module.statusCode());
        assertTrue(module.headers().firstValue("Content-Type").orElseThrow().startsWith("text/javascript"), "modules need a JavaScript type");
        String etag = module.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/web/app.js")).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(304, again.statusCode(), "an unchanged file is revalidated, not resent");
        for (String path : List.of("/web/nothing.js", "/web/..%2Fmodels%2Floupe-fixture-colors.manifest.json", "/web/%2e%2e%2fLoupe.class")) {
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(server.base() + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode(), path);
            assertTrue(missing.body().contains("\"success\":false") || missing.body().contains("\"success\": false"), missing.body());
        }
    }

    @Test
    void aPublicUrlsOriginMayServeImagesAndAnswerRequestsButNotScripts() {
        String policy = PageRoutes.policy(java.util.Optional.of("https://photos.example.com:8443/loupe"));
        assertTrue(policy.contains("img-src 'self' data: blob: https://photos.example.com:8443;"), policy);
        assertTrue(policy.contains("connect-src 'self' https://photos.example.com:8443;"), policy);
        assertTrue(policy.contains("script-src 'self';") && policy.contains("style-src 'self';"), policy);
    }

    @Test
    void everyFileOfThePageIsServedAndNoOtherIs() throws Exception {
        try (var files = Files.list(Path.of("src/main/resources/web"))) {
            assertEquals(files.map(f -> f.getFileName().toString()).sorted().toList(), PageRoutes.ASSETS.stream().sorted().toList(),
                    "PageRoutes.ASSETS names every file under src/main/resources/web/");
        }
    }

    @Test
    void uploadsImagesThroughPresignedUrlsAndShowsTheirTaskFinish(@TempDir Path tmp) throws Exception {
        open("inbox", 0);
        Path green = Files.write(tmp.resolve("green-arrival.jpg"), Images.jpeg(Images.dominant(Images.BASIC.get("green"), 320, 240, 5)));
        Path black = Files.write(tmp.resolve("black-arrival.jpg"), Images.jpeg(Images.dominant(Images.BASIC.get("black"), 320, 240, 6)));
        browser.visible("#upload-files").sendKeys(green + "\n" + black);
        browser.visible("#upload-button").click();
        browser.withText("#upload-status", "Uploaded 2");
        browser.until("document.querySelector('#tasks li.task[data-status=COMPLETED]')");
        awaitCards(2);
        WebElement query = browser.visible("#query");
        query.sendKeys("green", Keys.ENTER);
        browser.withText("#status", "“green”");
        awaitCards(2);
        // The objects came through the presigned flow, one confirmed upload each.
        JsonNode uploads = server.admin("inbox").ok("POST", "/v1/buckets/arrivals/uploads/list", "{}");
        java.util.Map<String, String> objectOf = new java.util.HashMap<>();
        uploads.path("results").forEach(u -> objectOf.put(u.path("filename").asText(), u.path("object_id").asText()));
        assertEquals(java.util.Set.of("green-arrival.jpg", "black-arrival.jpg"), objectOf.keySet(), uploads.toString());
        WebElement first = browser.all("#grid .card").getFirst();
        JsonNode top = server.admin("inbox").ok("GET", "/v1/collections/arrivals/documents/" + first.getAttribute("data-document-id"), null);
        assertEquals(objectOf.get("green-arrival.jpg"), top.path("root_object_id").asText(), "the green upload is found by “green”");
        first.click();
        browser.until("document.querySelector('#detail').open");
        assertNotNull(browser.visible("#detail-body img"));
        press(Keys.ESCAPE);
        browser.until("!document.querySelector('#detail').open");
    }

    /**
     * Writes the README's screenshot ({@code docs/search-page.png}) when asked:
     * {@code scripts/screenshot.sh}, or {@code -Dloupe.screenshot=PATH}. Never on an ordinary
     * build, which must not rewrite a committed file.
     */
    @Test
    @EnabledIfSystemProperty(named = "loupe.screenshot", matches = ".+")
    void writesTheReadmeScreenshot() throws Exception {
        open("shop", PRODUCTS.size());
        WebElement query = browser.visible("#query");
        query.sendKeys("red", Keys.ENTER);
        browser.withText("#status", "“red”");
        awaitCards(PRODUCTS.size());
        Path file = browser.screenshot(Path.of(System.getProperty("loupe.screenshot")));
        assertTrue(Files.size(file) > 10_000, "a screenshot of the page: " + file);
    }
}
