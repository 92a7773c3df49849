package dev.loupe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.media.ImageDecoder;
import dev.loupe.testing.Api;
import dev.loupe.testing.FaceFixtures;
import dev.loupe.testing.Images;
import dev.loupe.testing.PhotoLibrary;
import dev.loupe.testing.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
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
 * {@code face_identity_extractor} through the API on the real SCRFD and embedder weights and
 * the labelled photos of {@code ../shared/data/faces}: one document per face with Mixpeek's
 * fields, face search by content and by document, "every photo of this person", and the
 * inputs that must not break it.
 */
class FaceFlowTest {
    @TempDir
    static Path dir;
    private static TestServer server;
    private static Api api;
    private static PhotoLibrary library;
    private static String bucketId;
    private static String collectionId;
    /** object id → person, for the labelled photos. */
    private static final Map<String, String> personOf = new HashMap<>();
    private static final Map<String, String> objectOfFile = new HashMap<>();
    private static String noFaceObject;

    @BeforeAll
    static void ingest() {
        server = new TestServer(dir.resolve("data"), FaceFixtures.modelsDir());
        api = server.admin("people");
        library = new PhotoLibrary(api);
        api.ok("POST", "/v1/namespaces", "{\"namespace_name\": \"people\"}");
        bucketId = bucket("photos");
        FaceFixtures.identities().forEach((file, person) -> {
            String id = upload(bucketId, FaceFixtures.photo(file), "{\"person\": \"" + person + "\", \"file\": \"" + file + "\"}");
            personOf.put(id, person);
            objectOfFile.put(file, id);
        });
        noFaceObject = upload(bucketId, Images.jpeg(Images.dominant(Images.BASIC.get("red"), 320, 240, 7)), "{\"person\": \"nobody\"}");
        collectionId = faceCollection("faces", bucketId, "{\"detection_model\": \"scrfd_500m\", \"include_face_crops\": true}");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static String bucket(String name) {
        return library.bucket(name);
    }

    private static String upload(String bucket, byte[] jpeg, String metadata) {
        return library.upload(bucket, jpeg, metadata);
    }

    private static String faceCollection(String name, String bucket, String parameters) {
        return library.faceCollection(name, bucket, parameters);
    }

    private static List<JsonNode> documents(String collection) {
        return library.documents(collection);
    }

    private static List<JsonNode> documentsOf(String collection, String objectId) {
        return documents(collection).stream().filter(d -> d.path("root_object_id").asText().equals(objectId)).toList();
    }

    @Test
    void everyLabelledPhotoYieldsAFaceDocumentWithMixpeeksFields() throws Exception {
        ImageDecoder decoder = new ImageDecoder(100_000_000L);
        Set<String> withFaces = new HashSet<>();
        for (JsonNode d : documents(collectionId)) {
            String object = d.path("root_object_id").asText();
            withFaces.add(object);
            JsonNode embedding = d.path("face_identity_extractor_v1_embedding");
            assertEquals(512, embedding.size(), d.toString());
            double norm = 0;
            for (JsonNode x : embedding) norm += x.asDouble() * x.asDouble();
            assertEquals(1.0, Math.sqrt(norm), 1e-4, "L2-normalised");
            assertEquals("scrfd_500m", d.path("detection_model").asText());
            assertEquals(FaceFixtures.RECOGNIZER, d.path("embedding_model").asText());
            assertTrue(d.path("face_index").isInt());
            assertTrue(d.path("detection_score").asDouble() >= 0.5, "default threshold 0.5: " + d.path("detection_score"));
            JsonNode box = d.path("bbox");
            assertEquals(box.path("x2").asDouble() - box.path("x1").asDouble(), box.path("width").asDouble(), 1e-3);
            assertEquals(box.path("y2").asDouble() - box.path("y1").asDouble(), box.path("height").asDouble(), 1e-3);
            if (personOf.containsKey(object)) {
                ImageDecoder.Decoded photo = decoder.decode(FaceFixtures.photo(d.path("metadata").path("file").asText()), 1, 1);
                // Loupe's source_width/height: the space the boxes are in, for drawing them on the thumbnail.
                assertEquals(photo.originalWidth(), d.path("source_width").asInt(), d.toString());
                assertEquals(photo.originalHeight(), d.path("source_height").asInt(), d.toString());
                assertTrue(box.path("x1").asDouble() > -0.1 * photo.originalWidth() && box.path("x2").asDouble() < 1.1 * photo.originalWidth(), box.toString());
                assertTrue(box.path("y1").asDouble() > -0.1 * photo.originalHeight() && box.path("y2").asDouble() < 1.1 * photo.originalHeight(), box.toString());
            }
            JsonNode marks = d.path("landmarks");
            for (String point : List.of("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")) {
                double x = marks.path(point).path("x").asDouble(), y = marks.path(point).path("y").asDouble();
                assertTrue(x >= box.path("x1").asDouble() - 1 && x <= box.path("x2").asDouble() + 1, point + " inside the box: " + d);
                assertTrue(y >= box.path("y1").asDouble() - 1 && y <= box.path("y2").asDouble() + 1, point + " inside the box: " + d);
            }
            double quality = d.path("quality_score").asDouble();
            assertTrue(quality > 0 && quality <= 1, "quality in (0, 1]: " + quality);
            for (String c : List.of("sharpness", "size", "pose")) {
                double v = d.path("quality_components").path(c).asDouble(-1);
                assertTrue(v >= 0 && v <= 1, c + " in [0, 1]: " + v);
            }
            BufferedImage crop = ImageIO.read(new ByteArrayInputStream(api.download(d.path("face_crop_url").asText())));
            assertEquals(112, crop.getWidth());
            assertEquals(112, crop.getHeight());
            assertTrue(d.path("processing_time_ms").isNumber());
        }
        assertTrue(withFaces.containsAll(personOf.keySet()), "every labelled photo has a face; missing: "
                + personOf.keySet().stream().filter(o -> !withFaces.contains(o)).toList());
        assertTrue(!withFaces.contains(noFaceObject), "a photo without a face has no document");
    }

    @Test
    void aPhotoWithoutAFaceCompletesWithNoDocuments() {
        assertEquals(List.of(), documentsOf(collectionId, noFaceObject));
        JsonNode object = api.ok("GET", "/v1/buckets/" + bucketId + "/objects/" + noFaceObject, null);
        assertEquals(noFaceObject, object.path("object_id").asText(), "the object is kept");
    }

    @Test
    void faceIndexesNumberAPhotosFacesFromZero() {
        for (String object : personOf.keySet()) {
            List<Integer> indexes = documentsOf(collectionId, object).stream().map(d -> d.path("face_index").asInt()).sorted().toList();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < indexes.size(); i++) expected.add(i);
            assertEquals(expected, indexes, "object " + object);
        }
    }

    private JsonNode search(String query, int topK) {
        return api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["%s"], "inputs": {}, "limit": 100, "stages": [
                 {"stage_name": "faces", "config": {"stage_id": "feature_search", "parameters": {
                   "feature_uri": "mixpeek://face_identity_extractor@v1/embedding", "query": %s, "top_k": %d}}}]}"""
                .formatted(collectionId, query, topK));
    }

    private static String content(String file) {
        return "{\"input_mode\": \"content\", \"value\": \"data:image/jpeg;base64," + Base64.getEncoder().encodeToString(FaceFixtures.photo(file)) + "\"}";
    }

    @Test
    void aContentQueryFindsTheSamePersonsOtherPhotoFirst() {
        int right = 0;
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, String> e : FaceFixtures.identities().entrySet()) {
            String self = objectOfFile.get(e.getKey());
            JsonNode hits = search(content(e.getKey()), 20).path("documents");
            assertEquals(self, hits.get(0).path("root_object_id").asText(), "the photo's own face comes first for " + e.getKey());
            JsonNode other = null;
            for (JsonNode h : hits) {
                if (!h.path("root_object_id").asText().equals(self) && personOf.containsKey(h.path("root_object_id").asText())) {
                    other = h;
                    break;
                }
            }
            if (other != null && personOf.get(other.path("root_object_id").asText()).equals(e.getValue())) right++;
            else wrong.add(e.getKey());
        }
        assertEquals(List.of(), wrong, "nearest other labelled photo shows the same person");
        assertEquals(FaceFixtures.identities().size(), right);
    }

    @Test
    void aDocumentQueryFindsTheSamePerson() {
        String file = FaceFixtures.identities().keySet().iterator().next();
        JsonNode face = documentsOf(collectionId, objectOfFile.get(file)).stream()
                .filter(d -> d.path("face_index").asInt() == 0).findFirst().orElseThrow();
        JsonNode hits = search("{\"input_mode\": \"document\", \"document_ref\": {\"document_id\": \"" + face.path("document_id").asText() + "\"}}", 5)
                .path("documents");
        assertEquals(face.path("document_id").asText(), hits.get(0).path("document_id").asText());
        assertEquals(1.0, hits.get(0).path("score").asDouble(), 1e-3);
        assertEquals(FaceFixtures.identities().get(file), hits.get(1).path("metadata").path("person").asText());
    }

    @Test
    void everyPhotoOfThisPersonIsFaceSearchGroupedBySourceObject() {
        String person = "jackma";
        String file = FaceFixtures.identities().entrySet().stream().filter(e -> e.getValue().equals(person)).findFirst().orElseThrow().getKey();
        JsonNode run = api.ok("POST", "/v1/retrievers/execute", """
                {"collection_identifiers": ["%s"], "inputs": {}, "limit": 100, "stages": [
                 {"stage_name": "faces", "config": {"stage_id": "feature_search", "parameters": {
                   "feature_uri": "mixpeek://face_identity_extractor@v1/embedding", "query": %s, "top_k": 50, "min_score": 0.5}}},
                 {"stage_name": "photos", "config": {"stage_id": "group_by", "parameters": {"field": "root_object_id", "max_per_group": 1}}}]}"""
                .formatted(collectionId, content(file)));
        Set<String> photos = new HashSet<>();
        for (JsonNode d : run.path("documents")) photos.add(d.path("root_object_id").asText());
        Set<String> expected = new HashSet<>();
        personOf.forEach((object, p) -> {
            if (p.equals(person)) expected.add(object);
        });
        assertEquals(expected, photos, run.toString());
    }

    @Test
    void aContentQueryWithoutAFaceIsA422ThatSaysSo() {
        String red = "{\"input_mode\": \"content\", \"value\": \"data:image/jpeg;base64,"
                + Base64.getEncoder().encodeToString(Images.jpeg(Images.dominant(Images.BASIC.get("red"), 320, 240, 3))) + "\"}";
        Api.Response r = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["%s"], "inputs": {}, "stages": [
                 {"stage_name": "faces", "config": {"stage_id": "feature_search", "parameters": {"query": %s, "top_k": 5}}}]}"""
                .formatted(collectionId, red));
        assertEquals(422, r.status(), r.raw());
        assertTrue(r.raw().contains("no face"), r.raw());
    }

    /**
     * A content query finds the faces the searched collection would have indexed: its
     * {@code min_face_size} and {@code detection_threshold}, not the defaults, decide what the
     * query image holds (with the defaults the faces below would be found and searched).
     */
    @Test
    void aContentQueryDetectsWithTheSearchedCollectionsMinimumFaceSizeAndThreshold() {
        String file = null;
        double side = Double.MAX_VALUE, best = 0;
        for (String f : FaceFixtures.identities().keySet()) {
            List<JsonNode> faces = documentsOf(collectionId, objectOfFile.get(f));
            double s = faces.stream().mapToDouble(d -> Math.min(d.path("bbox").path("width").asDouble(), d.path("bbox").path("height").asDouble())).max().orElseThrow();
            double score = faces.stream().mapToDouble(d -> d.path("detection_score").asDouble()).max().orElseThrow();
            if (s < side && score < 0.99) {
                file = f;
                side = s;
                best = score;
            }
        }
        assertTrue(file != null && side < 190, "a labelled photo whose faces are all under 190 px and scored under 0.99");
        String own = bucket("query-options");
        upload(own, FaceFixtures.photo(file), "{}");
        String loose = faceCollection("faces-small-too", own, "{\"detection_model\": \"scrfd_500m\", \"min_face_size\": %d}".formatted((int) side - 2));
        String large = faceCollection("faces-large-only", own, "{\"detection_model\": \"scrfd_500m\", \"min_face_size\": %d}".formatted((int) side + 2));
        String sure = faceCollection("faces-sure-only", own, "{\"detection_model\": \"scrfd_500m\", \"detection_threshold\": %s}".formatted(Math.ceil(best * 1000 + 1) / 1000));
        assertEquals(200, contentSearch(loose, file).status(), "a minimum under the photo's largest face keeps it");
        for (String strict : List.of(large, sure)) {
            Api.Response r = contentSearch(strict, file);
            assertEquals(422, r.status(), "faces of " + Math.round(side) + " px scored up to " + best + ": " + r.raw());
            assertTrue(r.raw().contains("no face"), r.raw());
        }
    }

    private static Api.Response contentSearch(String collection, String file) {
        return api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["%s"], "inputs": {}, "stages": [
                 {"stage_name": "faces", "config": {"stage_id": "feature_search", "parameters": {"query": %s, "top_k": 5}}}]}"""
                .formatted(collection, content(file)));
    }

    @Test
    void aTextQueryOnAFaceIndexIsA422() {
        Api.Response r = api.post("/v1/retrievers/execute", """
                {"collection_identifiers": ["%s"], "inputs": {}, "stages": [
                 {"stage_name": "faces", "config": {"stage_id": "feature_search", "parameters": {"query": "a smiling man", "top_k": 5}}}]}"""
                .formatted(collectionId));
        assertEquals(422, r.status(), r.raw());
        assertTrue(r.raw().contains("no text encoder"), r.raw());
    }

    @Test
    void unknownParametersAndOutOfRangeValuesAre422sNamingTheField() {
        for (String[] c : new String[][] {
                {"{\"detection_model\": \"scrfd_99g\"}", "detection_model"},
                {"{\"min_face_size\": 5}", "min_face_size"},
                {"{\"detection_threshold\": 1.5}", "detection_threshold"},
                {"{\"max_faces_per_image\": 0}", "max_faces_per_image"},
                {"{\"output_mode\": \"per_person\"}", "output_mode"},
                {"{\"quality_threshold\": -0.1}", "quality_threshold"},
                {"{\"face_size\": 40}", "face_size"}}) {
            Api.Response r = api.post("/v1/collections", """
                    {"collection_name": "bad", "source": {"type": "bucket", "bucket_id": "%s"},
                     "feature_extractor": {"feature_extractor_name": "face_identity_extractor", "input_mappings": {"image": "payload.photo"},
                       "parameters": %s}}""".formatted(bucketId, c[0]));
            assertEquals(422, r.status(), c[0] + " → " + r.raw());
            assertTrue(r.raw().contains("feature_extractor.parameters." + c[1]), c[0] + " → " + r.raw());
        }
    }

    @Test
    void perImageModeWritesOneDocumentWithEveryFaceAndMaxFacesBoundsThem() {
        String perImage = faceCollection("faces-per-image", bucketId, "{\"detection_model\": \"scrfd_500m\", \"output_mode\": \"per_image\", \"max_faces_per_image\": 1}");
        List<JsonNode> docs = documents(perImage);
        assertEquals(personOf.size() + 1, docs.size(), "one document per image, the faceless one included");
        for (JsonNode d : docs) {
            int faces = d.path("faces").size();
            assertEquals(d.path("face_count").asInt(), faces);
            if (d.path("root_object_id").asText().equals(noFaceObject)) {
                assertEquals(0, faces);
            } else {
                assertEquals(1, faces, "max_faces_per_image 1: " + d);
                assertEquals(512, d.path("face_identity_extractor_v1_embedding").size(), "searchable by its face");
            }
        }
    }

    @Test
    void withoutNormalisationTheRawEmbeddingIsStoredPointingTheSameWay() {
        String own = bucket("raw");
        String object = upload(own, FaceFixtures.photo("c36b119d2a1e55b600ed639cc8989a96.jpeg"), "{}");
        String raw = faceCollection("faces-raw", own, "{\"detection_model\": \"scrfd_500m\", \"max_faces_per_image\": 1, \"normalize_embeddings\": false}");
        String unit = faceCollection("faces-unit", own, "{\"detection_model\": \"scrfd_500m\", \"max_faces_per_image\": 1}");
        JsonNode a = documentsOf(raw, object).getFirst().path("face_identity_extractor_v1_embedding");
        JsonNode b = documentsOf(unit, object).getFirst().path("face_identity_extractor_v1_embedding");
        double norm = 0, dot = 0;
        for (int i = 0; i < a.size(); i++) {
            norm += a.get(i).asDouble() * a.get(i).asDouble();
            dot += a.get(i).asDouble() * b.get(i).asDouble();
        }
        assertTrue(Math.abs(Math.sqrt(norm) - 1) > 0.01, "the recogniser's own scale is kept: |v| = " + Math.sqrt(norm));
        assertEquals(1.0, dot / Math.sqrt(norm), 1e-5, "same direction as the normalised one");
    }

    @Test
    void anExifRotatedPhotoGivesBoxesInUprightPixels() throws Exception {
        // Stored turned a quarter counter-clockwise with orientation 6 ("turn 90° clockwise to view"):
        // it displays exactly as the upright copy, so their faces' boxes must agree.
        BufferedImage upright = ImageIO.read(new ByteArrayInputStream(FaceFixtures.photo("c36b119d2a1e55b600ed639cc8989a96.jpeg")));
        int w = upright.getWidth(), h = upright.getHeight();
        BufferedImage stored = new BufferedImage(h, w, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) stored.setRGB(y, w - 1 - x, upright.getRGB(x, y));
        }
        byte[] withExif = Images.withOrientation(Images.jpeg(stored), 6);
        assertEquals(w, new ImageDecoder(100_000_000L).decode(withExif, 1, 1).originalWidth(), "the decoder turns it upright");
        String own = bucket("rotated");
        String rotatedObject = upload(own, withExif, "{\"person\": \"rotated\"}");
        String uprightObject = upload(own, Images.jpeg(upright), "{\"person\": \"upright\"}");
        String col = faceCollection("faces-rotated", own, "{\"detection_model\": \"scrfd_500m\", \"max_faces_per_image\": 1}");
        JsonNode a = documentsOf(col, rotatedObject).getFirst().path("bbox"), b = documentsOf(col, uprightObject).getFirst().path("bbox");
        for (String k : List.of("x1", "y1", "x2", "y2")) {
            assertEquals(b.path(k).asDouble(), a.path(k).asDouble(), 3.0, k + ": EXIF-rotated " + a + " vs upright " + b);
        }
        assertTrue(a.path("x2").asDouble() <= w + 3 && a.path("y2").asDouble() <= h + 3, "inside the upright frame " + w + "×" + h + ": " + a);
    }
}
