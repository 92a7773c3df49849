package dev.loupe.inference.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loupe.api.LoupeException;
import java.util.List;
import org.junit.jupiter.api.Test;

class NmsTest {
    private static DetectedFace face(float x1, float y1, float x2, float y2, float score) {
        return new DetectedFace(new FaceBox(x1, y1, x2, y2), score, null);
    }

    @Test
    void theLowerScoredOfTwoOverlappingFacesIsDropped() {
        DetectedFace a = face(0, 0, 100, 100, 0.9f), b = face(10, 10, 110, 110, 0.95f), far = face(300, 300, 400, 400, 0.6f);
        assertEquals(List.of(b, far), Nms.suppress(List.of(a, b, far), 0.4f, Nms.Overlap.PLUS_ONE));
    }

    @Test
    void overlapAtTheThresholdIsKeptAndAboveItDropped() {
        // two 10×10 boxes (11×11 with insightface's +1) sharing 5 columns: IoU = 66 / (121 + 121 − 66) = 0.375
        DetectedFace a = face(0, 0, 10, 10, 0.9f), b = face(5, 0, 15, 10, 0.8f);
        assertEquals(2, Nms.suppress(List.of(a, b), 0.375f, Nms.Overlap.PLUS_ONE).size());
        assertEquals(1, Nms.suppress(List.of(a, b), 0.37f, Nms.Overlap.PLUS_ONE).size());
        // OpenCV's integer rectangles: 50 / (100 + 100 − 50) = 0.333
        assertEquals(2, Nms.suppress(List.of(a, b), 0.34f, Nms.Overlap.INTEGER_RECT).size());
        assertEquals(1, Nms.suppress(List.of(a, b), 0.33f, Nms.Overlap.INTEGER_RECT).size());
    }

    @Test
    void maxFacesKeepsLargeCentralFacesFirstAsInsightfaceRanksThem() {
        // 200×200 image, centre (100, 100): area − 2·offset²
        DetectedFace central = face(80, 80, 120, 120, 0.6f);   // 1600 − 0
        DetectedFace large = face(0, 0, 100, 100, 0.9f);       // 10000 − 2·5000 = 0
        DetectedFace corner = face(150, 150, 190, 190, 0.99f); // 1600 − 2·(70² + 70²) = −18000
        assertEquals(List.of(central, large), Nms.mostProminent(List.of(large, corner, central), 2, 200, 200));
        assertEquals(List.of(large, corner, central), Nms.mostProminent(List.of(large, corner, central), 3, 200, 200));
    }

    @Test
    void selectDropsFacesBelowTheMinimumSizeByTheirShorterSide() {
        DetectedFace narrow = face(0, 0, 19, 40, 0.9f), ok = face(50, 50, 70, 70, 0.8f);
        assertEquals(List.of(ok), Nms.select(List.of(narrow, ok), new FaceOptions(0.5f, 20, 10), 100, 100));
    }

    @Test
    void noLimitMeansTheDocumentedCap() {
        assertEquals(FaceOptions.MAX_FACES_PER_IMAGE, FaceOptions.of(0.5f, 0, null).maxFaces());
        assertEquals(FaceOptions.MAX_FACES_PER_IMAGE, FaceOptions.of(0.5f, 0, 100_000).maxFaces());
        assertEquals(7, FaceOptions.of(0.5f, 0, 7).maxFaces());
    }

    @Test
    void badOptionsNameTheirField() {
        assertEquals("detection_threshold", assertThrows(LoupeException.Invalid.class, () -> new FaceOptions(1.5f, 0, 1)).field());
        assertEquals("detection_threshold", assertThrows(LoupeException.Invalid.class, () -> new FaceOptions(Float.NaN, 0, 1)).field());
        assertEquals("min_face_size", assertThrows(LoupeException.Invalid.class, () -> new FaceOptions(0.5f, -1, 1)).field());
        assertEquals("max_faces_per_image", assertThrows(LoupeException.Invalid.class, () -> new FaceOptions(0.5f, 0, 0)).field());
    }
}
