package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Browser;
import dev.loupe.testing.Images;
import dev.loupe.testing.TestServer;
import dev.loupe.testing.VisionStandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;

/**
 * The search page's document detail over {@code multimodal_extractor} (the seed's enriched
 * catalogue: real OCR, a description and response_shape fields from a provider stand-in that
 * answers from the picture's colour): each shows in its own section.
 */
class SearchPageMultimodalTest {
    @RegisterExtension
    static final Browser browser = Browser.open();
    @TempDir
    static Path dir;
    private static VisionStandIn provider;
    private static TestServer server;
    /** Two of MultimodalFlowTest's products, whose stand-in model answers here too. */
    private static final List<String> COLOURS = List.of("red", "blue");

    @BeforeAll
    static void start() throws Exception {
        provider = new VisionStandIn(MultimodalFlowTest::answer);
        Path keyFile = Files.writeString(dir.resolve("vlm.key"), "sk-test-not-a-real-key-0123456789\n");
        server = TestServer.withFlags(dir.resolve("data"), "--vlm-provider", "openai", "--vlm-url", provider.url(),
                "--vlm-model", "gpt-4o-mini", "--vlm-api-key-file", keyFile.toString());
        Api api = server.admin(null);
        String bucket = api.ok("POST", "/v1/buckets", """
                {"bucket_name": "catalog", "bucket_schema": {"properties": {"image": {"type": "image"}, "caption": {"type": "text"},
                  "product_id": {"type": "string"}}}}""").path("bucket_id").asText();
        int i = 0;
        for (String colour : COLOURS) {
            String image = Images.dataUri(Images.jpeg(MultimodalFlowTest.labelled(colour, MultimodalFlowTest.PRINTED.get(colour), i)), "image/jpeg");
            api.ok("POST", "/v1/buckets/" + bucket + "/objects", """
                    {"blobs": [{"property": "image", "type": "image", "data": "%s"}], "metadata": {"product_id": "P-%03d", "colour": "%s"}}"""
                    .formatted(image, i++, colour));
        }
        JsonNode collection = api.ok("POST", "/v1/collections", MultimodalFlowTest.seedCollection(bucket));
        JsonNode task = api.awaitTask(collection.path("task_id").asText(), Duration.ofMinutes(3));
        assertEquals("COMPLETED", task.path("status").asText(), task.toString());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (provider != null) provider.close();
    }

    @Test
    void aDocumentsDetailShowsItsOcrTextDescriptionAndStructuredFields() {
        SearchPage.open(browser, server, "default", COLOURS.size());
        browser.visible("#query").sendKeys("red", Keys.ENTER);
        browser.withText("#status", "“red”");
        SearchPage.awaitResults(browser, COLOURS.size());
        browser.all("#grid .card").getFirst().click();
        browser.until("document.querySelector('#detail').open");
        String detail = browser.withText("#detail-body", "Text in the image (OCR)").getText();
        assertTrue(detail.contains("ACME LEATHER"), "the OCR text: " + detail);
        assertTrue(detail.contains("Description") && detail.contains("A red leather bag with a printed label."), "the description: " + detail);
        assertTrue(detail.contains("product_type") && detail.contains("text_on_product"), "the response_shape fields: " + detail);
        assertTrue(detail.contains("P-"), "the metadata: " + detail);
    }
}
