package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.testing.Api;
import dev.loupe.testing.FaceFixtures;
import dev.loupe.testing.Images;
import dev.loupe.testing.PhotoLibrary;
import dev.loupe.testing.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * People as clusters: the 15 labelled faces of {@code ../shared/data/faces} (7 people), found by
 * {@code face_identity_extractor} on the real weights, grouped by the clusters API into one
 * cluster per person, and a face arriving later joins its person's cluster without a new execution.
 */
class FaceClustersTest {
    @TempDir
    static Path dir;
    private static TestServer server;
    private static Api api;
    private static PhotoLibrary library;
    private static String bucketId;
    private static String collectionId;

    @BeforeAll
    static void ingest() {
        server = new TestServer(dir.resolve("data"), FaceFixtures.modelsDir());
        api = server.admin("people");
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"people\"}");
        library = new PhotoLibrary(api);
        bucketId = library.bucket("photos");
        FaceFixtures.identities().forEach((file, person) -> upload(FaceFixtures.photo(file), person));
        // The labelled face is each photo's most prominent one.
        collectionId = library.faceCollection("faces", bucketId, "{\"detection_model\": \"scrfd_500m\", \"max_faces_per_image\": 1}");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static String upload(byte[] jpeg, String person) {
        return library.upload(bucketId, jpeg, "{\"person\": \"" + person + "\"}");
    }

    private static String cluster(String name, String method, String params) {
        String id = api.ok("POST", "/v1/clusters", """
                {"collection_ids": ["%s"], "cluster_name": "%s",
                 "vector_config": {"feature_uris": ["mixpeek://face_identity_extractor@v1/embedding"], "clustering_method": "%s", "algorithm_params": %s}}"""
                .formatted(collectionId, name, method, params)).path("cluster_id").asText();
        JsonNode task = api.ok("POST", "/v1/clusters/" + id + "/execute", "{}");
        assertEquals("COMPLETED", api.awaitTask(task.path("task_id").asText(), Duration.ofMinutes(2)).path("status").asText());
        return id;
    }

    private static List<JsonNode> faces() {
        return library.documents(collectionId);
    }

    /** cluster id → the people its faces show. */
    private static Map<String, Set<String>> peopleByCluster() {
        Map<String, Set<String>> out = new HashMap<>();
        for (JsonNode face : faces()) {
            if (!face.path("cluster_id").isTextual()) continue;
            out.computeIfAbsent(face.path("cluster_id").asText(), k -> new HashSet<>()).add(face.path("metadata").path("person").asText());
        }
        return out;
    }

    private static void assertOneClusterPerPerson(String method) {
        Map<String, Set<String>> people = peopleByCluster();
        assertEquals(FaceFixtures.people().size(), people.size(), method + ": one cluster per person: " + people);
        Set<String> seen = new HashSet<>();
        for (Set<String> members : people.values()) {
            assertEquals(1, members.size(), method + ": purity 1.0: " + people);
            seen.addAll(members);
        }
        assertEquals(Set.copyOf(FaceFixtures.people()), seen, method + ": every person has their cluster");
        for (JsonNode face : faces()) assertFalse(face.path("cluster_id").isNull(), method + ": no labelled face is noise: " + face);
    }

    @Test
    void hdbscanGroupsTheLabelledFacesIntoSevenPureClusters() {
        cluster("people-hdbscan", "hdbscan", "{\"min_cluster_size\": 2, \"min_samples\": 1, \"metric\": \"cosine\"}");
        assertOneClusterPerPerson("hdbscan");
    }

    @Test
    void dbscanAndAFaceArrivingLaterJoinsItsPersonsClusterWithoutAnExecution() throws Exception {
        cluster("people-dbscan", "dbscan", "{\"eps\": 0.5, \"min_samples\": 2, \"metric\": \"cosine\"}");
        assertOneClusterPerPerson("dbscan");
        Map<String, String> clusterOfPerson = new HashMap<>();
        peopleByCluster().forEach((cluster, people) -> clusterOfPerson.put(people.iterator().next(), cluster));

        // Another shot of a labelled person: the same photo, mirrored and smaller.
        String file = FaceFixtures.identities().keySet().iterator().next();
        String person = FaceFixtures.identities().get(file);
        BufferedImage photo = ImageIO.read(new ByteArrayInputStream(FaceFixtures.photo(file)));
        int w = photo.getWidth() * 4 / 5, h = photo.getHeight() * 4 / 5;
        BufferedImage other = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = other.createGraphics();
        g.drawImage(photo, w, 0, -w, h, null);
        g.dispose();
        String object = upload(Images.jpeg(other), person);
        library.ingest(bucketId, object);
        JsonNode late = faces().stream().filter(f -> f.path("root_object_id").asText().equals(object)).findFirst().orElseThrow();
        assertEquals(clusterOfPerson.get(person), late.path("cluster_id").asText(), "joins " + person + "'s cluster: " + late);
    }
}
