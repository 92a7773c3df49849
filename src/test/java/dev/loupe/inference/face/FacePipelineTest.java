package dev.loupe.inference.face;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.Vectors;
import dev.loupe.media.ImageDecoder;
import dev.loupe.media.Resampler;
import dev.loupe.testing.Fixtures;
import dev.loupe.testing.Images;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Detect → align → embed on awkward input: every case gets a defined result, never an exception. */
class FacePipelineTest {
    /** jackma, 2a453f25…: one clear frontal face. */
    private static final String PORTRAIT = "2a453f25ef95ec02e4ea8c21bdd2b237.jpeg";
    private static final ImageDecoder DECODER = new ImageDecoder(100_000_000L);

    @TempDir
    static Path tmp;
    private static ModelRepository repository;
    private static FaceModels models;
    private static FacePipeline pipeline;
    private static BufferedImage portrait;
    private static Face portraitFace;

    @BeforeAll
    static void load() throws Exception {
        repository = SharedFaceModels.install(tmp);
        models = new FaceModels(repository);
        pipeline = models.pipeline(SharedFaceModels.SCRFD_500M, SharedFaceModels.EMBED);
        portrait = decode(Files.readAllBytes(photo(PORTRAIT)));
        portraitFace = only(pipeline.analyse(List.of(portrait), FaceOptions.DEFAULTS).getFirst());
    }

    @AfterAll
    static void close() {
        models.close();
        repository.close();
    }

    @Test
    void anImageWithoutAFaceGivesAnEmptyList() {
        BufferedImage img = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new java.awt.GradientPaint(0, 0, Color.ORANGE, 640, 480, Color.BLUE));
        g.fillRect(0, 0, 640, 480);
        g.dispose();
        assertEquals(List.of(List.of()), pipeline.analyse(List.of(img), FaceOptions.DEFAULTS));
    }

    @Test
    void tinyAndStripImagesGiveEmptyLists() {
        List<BufferedImage> odd = List.of(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB), new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB),
                new BufferedImage(1, 500, BufferedImage.TYPE_INT_RGB), new BufferedImage(500, 1, BufferedImage.TYPE_INT_RGB));
        assertEquals(List.of(List.of(), List.of(), List.of(), List.of()), pipeline.analyse(odd, FaceOptions.DEFAULTS));
    }

    @Test
    void theLargestFaceOfAPortraitIsFrontalSharpAndLargeEnough() {
        FaceQuality q = portraitFace.quality();
        assertEquals(FaceAligner.SIZE, portraitFace.crop().getWidth());
        assertEquals(512, portraitFace.embedding().length);
        assertEquals(1.0, Vectors.dot(portraitFace.embedding(), portraitFace.embedding()), 1e-5, "unit length");
        System.out.printf("portrait quality: score %.3f, sharpness %.3f, size %.3f, pose %.3f%n", q.score(), q.sharpness(), q.size(), q.pose());
        assertTrue(q.pose() > 0.8, "a frontal face: " + q);
        assertEquals(0.4f * q.sharpness() + 0.3f * q.size() + 0.3f * q.pose(), q.score(), 1e-6);
    }

    @Test
    void aGreyscaleJpegGivesTheSamePerson() throws Exception {
        BufferedImage grey = new BufferedImage(portrait.getWidth(), portrait.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        grey.getGraphics().drawImage(portrait, 0, 0, null);
        Face face = only(pipeline.analyse(List.of(decode(Images.jpeg(grey))), FaceOptions.DEFAULTS).getFirst());
        double cos = Vectors.dot(face.embedding(), portraitFace.embedding());
        System.out.printf("greyscale portrait: cosine to the colour one %.3f%n", cos);
        assertTrue(cos > 0.8, "cosine " + cos);
    }

    @Test
    void anExifRotatedPhotoIsAnalysedUpright() throws Exception {
        // Orientation 6: the stored pixels are the upright picture turned 90° anticlockwise.
        BufferedImage stored = new BufferedImage(portrait.getHeight(), portrait.getWidth(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < portrait.getHeight(); y++) {
            for (int x = 0; x < portrait.getWidth(); x++) stored.setRGB(y, portrait.getWidth() - 1 - x, portrait.getRGB(x, y));
        }
        BufferedImage upright = decode(Images.withOrientation(Images.jpeg(stored), 6));
        assertEquals(portrait.getWidth(), upright.getWidth());
        Face face = only(pipeline.analyse(List.of(upright), FaceOptions.of(0.5f, 0, 1)).getFirst());
        Landmarks l = face.detection().landmarks();
        assertTrue(l.leftEye().y() < l.mouthLeft().y() && l.rightEye().y() < l.mouthRight().y(), "eyes above the mouth: " + l);
        assertEquals(portraitFace.detection().box().x1(), face.detection().box().x1(), 3, "same place as in the upright photo");
        double cos = Vectors.dot(face.embedding(), portraitFace.embedding());
        assertTrue(cos > 0.95, "cosine " + cos);
    }

    @Test
    void aFaceCutByTheImageEdgeIsFoundAndItsCropIsBlackBeyondTheEdge() {
        Landmarks l = portraitFace.detection().landmarks();
        int cut = Math.round(l.leftEye().x()) - 5; // the left edge of the picture runs just beside the left eye
        BufferedImage cropped = portrait.getSubimage(cut, 0, portrait.getWidth() - cut, portrait.getHeight());
        Face face = only(pipeline.analyse(List.of(cropped), FaceOptions.of(0.5f, 0, 1)).getFirst());
        float eye = face.detection().landmarks().leftEye().x();
        assertTrue(eye >= 0 && eye < 15, "the left eye, 5 px from the edge, is placed at " + eye);
        assertEquals(0, face.crop().getRGB(0, FaceAligner.SIZE / 2) & 0xffffff, "outside the picture the crop is black");
        double cos = Vectors.dot(face.embedding(), portraitFace.embedding());
        System.out.printf("face cut by the edge: cosine to the whole face %.3f%n", cos);
    }

    @Test
    void aCrowdIsCappedAtTheDocumentedMaximumAndMaxFacesKeepsTheMostCentral() {
        BufferedImage tile = Resampler.resize(portrait, portrait.getWidth() / 3, portrait.getHeight() / 3, Resampler.Filter.BILINEAR);
        int n = 12;
        BufferedImage crowd = new BufferedImage(n * tile.getWidth(), n * tile.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < n * n; i++) crowd.getGraphics().drawImage(tile, (i % n) * tile.getWidth(), (i / n) * tile.getHeight(), null);
        FaceDetector detector = pipeline.detector();
        List<DetectedFace> all = detector.detect(List.of(crowd), FaceOptions.DEFAULTS).getFirst();
        System.out.printf("crowd of %d faces: %d kept%n", n * n, all.size());
        assertEquals(FaceOptions.MAX_FACES_PER_IMAGE, all.size());
        List<DetectedFace> three = detector.detect(List.of(crowd), FaceOptions.of(0.5f, 0, 3)).getFirst();
        assertEquals(3, three.size());
        double cx = crowd.getWidth() / 2.0, cy = crowd.getHeight() / 2.0;
        for (DetectedFace f : three) {
            double dx = (f.box().x1() + f.box().x2()) / 2 - cx, dy = (f.box().y1() + f.box().y2()) / 2 - cy;
            assertTrue(Math.hypot(dx, dy) < 1.5 * tile.getWidth(), "a central face: " + f.box());
        }
    }

    @Test
    void aBatchGivesWhatEachImageGivesAlone() throws Exception {
        List<BufferedImage> images = List.of(portrait, decode(Files.readAllBytes(photo("rotate_0002.jpg"))), new BufferedImage(50, 50, BufferedImage.TYPE_INT_RGB));
        List<List<Face>> together = pipeline.analyse(images, FaceOptions.DEFAULTS);
        assertEquals(List.of(1, 6, 0), together.stream().map(List::size).toList(), "faces per image");
        for (int i = 0; i < images.size(); i++) {
            List<Face> alone = pipeline.analyse(List.of(images.get(i)), FaceOptions.DEFAULTS).getFirst();
            for (int f = 0; f < alone.size(); f++) {
                assertEquals(alone.get(f).detection(), together.get(i).get(f).detection());
                assertArrayEquals(alone.get(f).embedding(), together.get(i).get(f).embedding(), 1e-6f);
            }
        }
    }

    @Test
    void sixOfNineFacesTurnedInThePictureAreFound() throws Exception {
        // nine people photographed from above, in a circle: faces at every angle; SCRFD is trained on upright faces
        List<Face> faces = pipeline.analyse(List.of(decode(Files.readAllBytes(photo("rotate_0001.jpg")))), FaceOptions.DEFAULTS).getFirst();
        System.out.printf("circle of nine turned faces: %d found%n", faces.size());
        assertEquals(6, faces.size());
    }

    private static Face only(List<Face> faces) {
        assertEquals(1, faces.size(), "faces: " + faces.stream().map(f -> f.detection().box()).toList());
        return faces.getFirst();
    }

    private static Path photo(String name) {
        return Fixtures.shared().resolve("data/faces").resolve(name);
    }

    private static BufferedImage decode(byte[] bytes) throws Exception {
        return DECODER.decode(bytes, 1 << 16, 1 << 16).image();
    }
}
