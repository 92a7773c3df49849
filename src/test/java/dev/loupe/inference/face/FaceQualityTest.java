package dev.loupe.inference.face;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FaceQualityTest {
    private static final Landmarks FRONTAL = template(0);

    /** ArcFace's template, with the nose moved {@code shift} pixels sideways (a turned head seen from the front). */
    private static Landmarks template(float shift) {
        float[] xy = new float[10];
        for (int i = 0; i < 5; i++) {
            xy[2 * i] = (float) FaceAligner.TEMPLATE[i][0] + (i == 2 ? shift : 0);
            xy[2 * i + 1] = (float) FaceAligner.TEMPLATE[i][1];
        }
        return Landmarks.of(xy, 0);
    }

    private static BufferedImage noise(int step) {
        BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(7);
        for (int y = 0; y < 112; y += step) {
            for (int x = 0; x < 112; x += step) {
                int v = r.nextInt(256);
                for (int dy = 0; dy < step && y + dy < 112; dy++) for (int dx = 0; dx < step && x + dx < 112; dx++) img.setRGB(x + dx, y + dy, v * 0x010101);
            }
        }
        return img;
    }

    @Test
    void aFlatCropHasNoSharpnessAndFineDetailScoresHigherThanCoarse() {
        assertEquals(0, FaceQuality.sharpness(new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB)));
        float fine = FaceQuality.sharpness(noise(1)), coarse = FaceQuality.sharpness(noise(8));
        assertTrue(fine > 0.99 && coarse < fine, "fine " + fine + ", coarse " + coarse);
    }

    @Test
    void theTemplateItselfIsPerfectlyFrontalAndATurnedHeadIsNot() {
        assertEquals(1.0, FaceQuality.pose(FRONTAL), 0.02); // the template is symmetric to within 0.2 px
        float turned = FaceQuality.pose(template(10)), profile = FaceQuality.pose(template(20));
        assertTrue(turned < 0.3 && profile == 0, "turned " + turned + ", nose beyond an eye " + profile);
    }

    @Test
    void sizeGrowsWithTheBoxUpToTheRecognisersInput() {
        DetectedFace small = new DetectedFace(new FaceBox(0, 0, 28, 40), 0.9f, FRONTAL), big = new DetectedFace(new FaceBox(0, 0, 300, 400), 0.9f, FRONTAL);
        BufferedImage crop = noise(1);
        assertEquals(0.25f, FaceQuality.of(crop, small).size(), 1e-6);
        assertEquals(1f, FaceQuality.of(crop, big).size());
        FaceQuality q = FaceQuality.of(crop, big);
        assertEquals(0.4f * q.sharpness() + 0.3f * q.size() + 0.3f * q.pose(), q.score(), 1e-6);
    }
}
