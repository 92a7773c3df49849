package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.Browser;
import dev.loupe.testing.FaceFixtures;
import dev.loupe.testing.PhotoLibrary;
import dev.loupe.testing.TestServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.WebElement;

/**
 * The search page over a face collection (real SCRFD and recogniser weights, six labelled
 * photos of three people, clustered): a face's detail boxes every face of its photo on the
 * photo's thumbnail, a box starts a face search, and the people panel lists the clusters.
 */
class SearchPageFacesTest {
    @RegisterExtension
    static final Browser browser = Browser.open();
    @TempDir
    static Path dir;
    private static TestServer server;
    private static Api api;
    private static PhotoLibrary library;
    private static String collectionId;
    private static final List<String> PEOPLE = List.of("pony", "robinli", "leijun");

    @BeforeAll
    static void start() {
        server = new TestServer(dir.resolve("data"), FaceFixtures.modelsDir());
        api = server.admin("people");
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"people\"}");
        library = new PhotoLibrary(api);
        String bucket = library.bucket("photos");
        for (Map.Entry<String, String> e : FaceFixtures.identities().entrySet()) {
            if (PEOPLE.contains(e.getValue())) library.upload(bucket, FaceFixtures.photo(e.getKey()), "{\"person\": \"" + e.getValue() + "\"}");
        }
        collectionId = library.faceCollection("faces", bucket,
                "{\"detection_model\": \"scrfd_500m\", \"include_face_crops\": true, \"include_source_frame_thumbnail\": true}");
        String cluster = api.ok("POST", "/v1/clusters", """
                {"collection_ids": ["%s"], "cluster_name": "people",
                 "vector_config": {"feature_uris": ["mixpeek://face_identity_extractor@v1/embedding"], "clustering_method": "hdbscan",
                   "algorithm_params": {"min_cluster_size": 2, "min_samples": 1, "metric": "cosine"}}}""".formatted(collectionId))
                .path("cluster_id").asText();
        JsonNode task = api.ok("POST", "/v1/clusters/" + cluster + "/execute", "{}");
        assertEquals("COMPLETED", api.awaitTask(task.path("task_id").asText(), Duration.ofMinutes(2)).path("status").asText());
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static void open() {
        SearchPage.open(browser, server, "people", library.documents(collectionId).size());
    }

    private static void awaitResults(int n) {
        SearchPage.awaitResults(browser, n);
    }

    @Test
    void aFacesDetailBoxesEveryFaceOfItsPhotoAndABoxSearchesForThatPerson() {
        open();
        WebElement card = browser.all("#grid .card").getFirst();
        String documentId = card.getAttribute("data-document-id");
        JsonNode face = api.ok("GET", "/v1/collections/" + collectionId + "/documents/" + documentId, null);
        long facesOfPhoto = library.documents(collectionId).stream()
                .filter(d -> d.path("root_object_id").asText().equals(face.path("root_object_id").asText())).count();
        card.click();
        browser.until("document.querySelectorAll('#detail .face-box').length === " + facesOfPhoto);
        browser.withText("#detail-body", face.path("metadata").path("person").asText());

        // The box of this face sits where its bbox is on the thumbnail, in proportion.
        WebElement image = browser.visible("#detail .figure img");
        browser.until("document.querySelector('#detail .figure img').complete");
        WebElement box = browser.visible("#detail .face-box.current");
        double scale = image.getSize().getWidth() / face.path("source_width").asDouble();
        assertEquals(face.path("bbox").path("x1").asDouble() * scale, box.getLocation().getX() - image.getLocation().getX(), 3.0, "left edge");
        assertEquals(face.path("bbox").path("width").asDouble() * scale, box.getSize().getWidth(), 3.0, "width");
        assertEquals(face.path("bbox").path("y1").asDouble() * scale, box.getLocation().getY() - image.getLocation().getY(), 3.0, "top edge");

        box.click();
        browser.until("!document.querySelector('#detail').open");
        browser.withText("#status", "face " + (face.path("face_index").asInt() + 1) + " of");
        browser.until("document.querySelector('#grid .card')");
        assertEquals(documentId, browser.all("#grid .card").getFirst().getAttribute("data-document-id"), "the face itself comes first");
        assertEquals("1.000", browser.all("#grid .card .score").getFirst().getText());
    }

    @Test
    void thePeoplePanelListsEachClusterAndChoosingOneShowsItsFaces() {
        open();
        Map<String, Set<String>> peopleOf = new java.util.HashMap<>();
        for (JsonNode d : library.documents(collectionId)) {
            if (d.path("cluster_id").isTextual()) {
                peopleOf.computeIfAbsent(d.path("cluster_id").asText(), k -> new HashSet<>()).add(d.path("metadata").path("person").asText());
            }
        }
        assertTrue(peopleOf.size() >= 2, "the faces are clustered: " + peopleOf);
        browser.until("document.querySelectorAll('#people .person').length === " + peopleOf.size());
        WebElement person = browser.all("#people .person").getFirst();
        String cluster = person.getAttribute("data-cluster");
        long members = library.documents(collectionId).stream().filter(d -> d.path("cluster_id").asText().equals(cluster)).count();
        person.click();
        awaitResults((int) members);
        assertTrue(browser.visible("#active-filters button").getText().contains(cluster), "the person is a filter on cluster_id");
    }
}
