package dev.loupe.inference.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.api.Json;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.Vectors;
import dev.loupe.media.ImageDecoder;
import dev.loupe.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recognition quality on real photos: the 15 labelled faces of 7 people in
 * {@code ../shared/data/faces/identities.json}, each photo's most prominent face (some photos
 * hold several people), through detection → alignment → face_embed_512. Prints the
 * same-person and different-person cosine ranges and the threshold that separates them.
 */
class FaceIdentityTest {
    private static final int LABELLED = 15, PEOPLE = 7;

    @TempDir
    static Path tmp;
    private static ModelRepository repository;
    private static FaceModels models;
    private static final List<String> labels = new ArrayList<>();
    private static final List<BufferedImage> photos = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        repository = SharedFaceModels.install(tmp);
        models = new FaceModels(repository);
        Path dir = Fixtures.shared().resolve("data/faces");
        JsonNode identities = Json.read(Files.readString(dir.resolve("identities.json")));
        ImageDecoder decoder = new ImageDecoder(100_000_000L);
        for (Iterator<Map.Entry<String, JsonNode>> it = identities.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> person = it.next();
            for (JsonNode file : person.getValue()) {
                labels.add(person.getKey());
                photos.add(decoder.decode(Files.readAllBytes(dir.resolve(file.asText())), 1 << 16, 1 << 16).image());
            }
        }
        assertEquals(LABELLED, photos.size(), "labelled faces");
        assertEquals(PEOPLE, labels.stream().distinct().count(), "people");
    }

    @AfterAll
    static void close() {
        models.close();
        repository.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {SharedFaceModels.SCRFD_500M, SharedFaceModels.SCRFD_2_5G, SharedFaceModels.YUNET})
    void everyLabelledFaceIsFoundAndItsNearestNeighbourIsTheSamePerson(String detector) {
        FacePipeline pipeline = models.pipeline(detector, SharedFaceModels.EMBED);
        List<List<Face>> faces = pipeline.analyse(photos, FaceOptions.of(0.5f, 0, 1));
        float[][] e = new float[LABELLED][];
        for (int i = 0; i < LABELLED; i++) {
            assertEquals(1, faces.get(i).size(), "the most prominent face of photo " + i + " (" + labels.get(i) + ")");
            e[i] = faces.get(i).getFirst().embedding();
        }
        int correct = 0;
        double minSame = 1, maxSame = -1, minDiff = 1, maxDiff = -1;
        int samePairs = 0, diffPairs = 0;
        for (int i = 0; i < LABELLED; i++) {
            int nearest = -1;
            double best = -2;
            for (int j = 0; j < LABELLED; j++) {
                if (j == i) continue;
                double cos = Vectors.dot(e[i], e[j]);
                if (cos > best) {
                    best = cos;
                    nearest = j;
                }
                if (j < i) continue;
                if (labels.get(i).equals(labels.get(j))) {
                    minSame = Math.min(minSame, cos);
                    maxSame = Math.max(maxSame, cos);
                    samePairs++;
                } else {
                    minDiff = Math.min(minDiff, cos);
                    maxDiff = Math.max(maxDiff, cos);
                    diffPairs++;
                }
            }
            if (labels.get(nearest).equals(labels.get(i))) correct++;
        }
        System.out.printf("faces %s + %s: nearest-neighbour identity %d/%d; same person cosine %.3f–%.3f (%d pairs), "
                        + "different people %.3f–%.3f (%d pairs); threshold %.3f separates them%n",
                detector, SharedFaceModels.EMBED, correct, LABELLED, minSame, maxSame, samePairs, minDiff, maxDiff, diffPairs, (minSame + maxDiff) / 2);
        assertEquals(LABELLED, correct, "nearest-neighbour identity");
        assertEquals(LABELLED * (LABELLED - 1) / 2, samePairs + diffPairs, "labelled pairs");
        assertTrue(maxDiff < minSame, "different people (up to " + maxDiff + ") must stay below the same person (from " + minSame + ")");
    }
}
