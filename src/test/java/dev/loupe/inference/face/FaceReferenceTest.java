package dev.loupe.inference.face;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.Vectors;
import dev.loupe.media.ImageDecoder;
import dev.loupe.media.Resampler;
import dev.loupe.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loupe's face detection, alignment and embedding held to independent references computed by
 * {@code scripts/face_reference.py} (numpy, OpenCV, skimage) on the photos of
 * {@code ../shared/data/faces} and the real graphs of {@code ../shared/models/face}:
 * SCRFD decoded by insightface's algorithm from the same raw outputs, YuNet run and decoded by
 * OpenCV, crops cut by skimage + {@code cv2.warpAffine}.
 */
class FaceReferenceTest {
    private static final float THRESHOLD = 0.5f;
    private static final int PHOTOS = 22;
    /** The photos at full size plus one of them shrunk to 64 pixels wide (a tiny image). */
    private static final int IMAGES = PHOTOS + 1;

    @TempDir
    static Path tmp;
    private static ModelRepository repository;
    private static FaceModels models;
    private static Path dir;
    private static final List<BufferedImage> images = new ArrayList<>();
    private static final Map<String, List<DetectedFace>> loupe = new LinkedHashMap<>();
    private static final Map<String, BufferedImage> loupeCrops = new LinkedHashMap<>();
    private static JsonNode reference;

    @BeforeAll
    static void computeReferences() throws Exception {
        repository = SharedFaceModels.install(tmp.resolve("models"));
        models = new FaceModels(repository);
        dir = Files.createDirectories(tmp.resolve("reference"));
        images.addAll(photos());
        BufferedImage first = images.getFirst();
        images.add(Resampler.resize(first, 64, Math.max(1, first.getHeight() * 64 / first.getWidth()), Resampler.Filter.BILINEAR));
        ObjectNode cases = Json.object();
        ArrayNode scrfdCases = cases.putArray("scrfd"), yunetCases = cases.putArray("yunet"), alignCases = cases.putArray("align");
        for (int i = 0; i < images.size(); i++) ImageIO.write(images.get(i), "png", dir.resolve("img_" + i + ".png").toFile());
        for (String name : List.of(SharedFaceModels.SCRFD_500M, SharedFaceModels.SCRFD_2_5G)) {
            Scrfd scrfd = (Scrfd) models.detector(name);
            List<DetectorGraph.Raw> raws = scrfd.raw(images);
            for (int i = 0; i < images.size(); i++) {
                String id = name + "/" + i;
                ObjectNode c = scrfdCases.addObject().put("id", id).put("input_size", scrfd.inputSize())
                        .put("det_scale", raws.get(i).letterbox().scale()).put("threshold", THRESHOLD);
                ArrayNode files = c.putArray("outputs");
                float[][] outputs = raws.get(i).outputs();
                for (int o = 0; o < outputs.length; o++) files.add(writeFloats(id.replace('/', '_') + "_" + o + ".f32", outputs[o]));
                loupe.put(id, scrfd.decode(raws.get(i), THRESHOLD));
            }
        }
        Yunet yunet = (Yunet) models.detector(SharedFaceModels.YUNET);
        cases.put("yunet_model", SharedFaceModels.dir().resolve("yunet_2023mar.onnx").toString());
        List<DetectorGraph.Raw> raws = yunet.raw(images);
        for (int i = 0; i < images.size(); i++) {
            String id = SharedFaceModels.YUNET + "/" + i, canvas = "yunet_canvas_" + i + ".png";
            ImageIO.write(raws.get(i).letterbox().canvas(images.get(i)), "png", dir.resolve(canvas).toFile());
            yunetCases.addObject().put("id", id).put("canvas", canvas).put("det_scale", raws.get(i).letterbox().scale()).put("threshold", THRESHOLD);
            loupe.put(id, yunet.decode(raws.get(i), THRESHOLD));
        }
        FaceAligner aligner = new FaceAligner();
        for (int i = 0; i < images.size(); i++) {
            List<DetectedFace> faces = loupe.get(SharedFaceModels.SCRFD_500M + "/" + i);
            for (int f = 0; f < faces.size(); f++) {
                Landmarks l = faces.get(f).landmarks();
                addAlignCase(alignCases, aligner, i + "/" + f, i, l);
                if (f == 0) addAlignCase(alignCases, aligner, i + "/" + f + "/at-corner", i, shifted(l, -l.nose().x(), -l.nose().y()));
            }
        }
        Files.writeString(dir.resolve("cases.json"), Json.write(cases));
        Process p = new ProcessBuilder("/usr/bin/python3", "scripts/face_reference.py", dir.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "scripts/face_reference.py (needs Debian's python3-numpy, python3-opencv, python3-skimage) failed:\n" + log);
        reference = Json.read(Files.readString(dir.resolve("reference.json")));
    }

    @AfterAll
    static void close() {
        models.close();
        repository.close();
    }

    @Test
    void scrfdFacesMatchInsightfaceDecodingOfTheSameOutputsWithinHalfAPixel() {
        int faces = compare(reference.path("scrfd"), 1e-6);
        assertEquals(2 * IMAGES, reference.path("scrfd").size(), "SCRFD cases: two detectors × every image");
        assertEquals(EXPECTED_SCRFD_FACES, faces, "faces compared");
    }

    @Test
    void yunetFacesMatchOpenCvsOwnInferenceAndDecodingWithinHalfAPixel() {
        int faces = compare(reference.path("yunet"), 1e-3);
        assertEquals(IMAGES, reference.path("yunet").size(), "YuNet cases: every image");
        assertEquals(EXPECTED_YUNET_FACES, faces, "faces compared");
    }

    /** The requirement is ±1 grey level; the port of OpenCV's fixed-point warp in fact gives identical pixels, and is held to that. */
    @Test
    void alignedCropsAreBitIdenticalToWarpAffine() throws IOException {
        List<String> failures = new ArrayList<>();
        int cases = 0, differing = 0;
        for (JsonNode r : reference.path("align")) {
            BufferedImage theirs = ImageIO.read(dir.resolve(r.path("crop").asText()).toFile());
            BufferedImage mine = loupeCrops.get(r.path("id").asText());
            int max = 0;
            for (int y = 0; y < FaceAligner.SIZE; y++) {
                for (int x = 0; x < FaceAligner.SIZE; x++) {
                    int a = mine.getRGB(x, y), b = theirs.getRGB(x, y);
                    if ((a & 0xffffff) != (b & 0xffffff)) differing++;
                    for (int shift = 0; shift <= 16; shift += 8) max = Math.max(max, Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)));
                }
            }
            if (max > 0) failures.add(r.path("id").asText() + ": max difference " + max + " grey levels");
            cases++;
        }
        System.out.printf("alignment: %d crops, %d of %d pixels differ from cv2.warpAffine%n", cases, differing, cases * FaceAligner.SIZE * FaceAligner.SIZE);
        assertEquals(List.of(), failures);
        assertEquals(EXPECTED_ALIGN_CASES, cases, "alignment cases: every SCRFD-500M face, and each image's first face moved to the corner");
    }

    @Test
    void similarityTransformIsSkimagesUmeyamaEstimate() {
        int cases = 0;
        for (JsonNode r : reference.path("align")) {
            double[] mine = FaceAligner.transform(landmarksOf(r.path("id").asText()));
            for (int k = 0; k < 6; k++) {
                assertEquals(r.path("matrix").get(k).asDouble(), mine[k], 1e-9, "matrix element " + k + " of " + r.path("id").asText());
            }
            cases++;
        }
        assertEquals(EXPECTED_ALIGN_CASES, cases);
    }

    @Test
    void embeddingsOfTheReferenceCropsMatchLoupesAtCosine09999() throws IOException {
        FaceEmbedder embedder = models.embedder(SharedFaceModels.EMBED);
        List<BufferedImage> mine = new ArrayList<>(), theirs = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (JsonNode r : reference.path("align")) {
            ids.add(r.path("id").asText());
            mine.add(loupeCrops.get(r.path("id").asText()));
            theirs.add(ImageIO.read(dir.resolve(r.path("crop").asText()).toFile()));
        }
        float[][] a = embedder.embed(mine), b = embedder.embed(theirs);
        assertEquals(512, embedder.dimension());
        List<String> failures = new ArrayList<>();
        double worst = 1;
        for (int i = 0; i < ids.size(); i++) {
            double cos = Vectors.dot(a[i], b[i]);
            worst = Math.min(worst, cos);
            if (cos < 0.9999) failures.add(ids.get(i) + ": cosine " + cos);
        }
        System.out.printf("embeddings of %d reference crops: lowest cosine to Loupe's %.6f%n", ids.size(), worst);
        assertEquals(List.of(), failures);
        assertEquals(EXPECTED_ALIGN_CASES, ids.size());
    }

    // Known from the photos and graphs: they are fixed files, so the counts are too.
    private static final int EXPECTED_SCRFD_FACES = 86, EXPECTED_YUNET_FACES = 44, EXPECTED_ALIGN_CASES = 66;

    private static final Map<String, Landmarks> alignLandmarks = new LinkedHashMap<>();

    private static void addAlignCase(ArrayNode cases, FaceAligner aligner, String id, int image, Landmarks l) {
        ArrayNode xy = cases.addObject().put("id", id).put("image", "img_" + image + ".png").putArray("landmarks");
        for (float v : l.toArray()) xy.add(v);
        alignLandmarks.put(id, l);
        loupeCrops.put(id, aligner.align(images.get(image), l));
    }

    private static Landmarks landmarksOf(String id) {
        return alignLandmarks.get(id);
    }

    private static Landmarks shifted(Landmarks l, float dx, float dy) {
        float[] xy = l.toArray();
        for (int k = 0; k < 10; k++) xy[k] += k % 2 == 0 ? dx : dy;
        return Landmarks.of(xy, 0);
    }

    /** Compares every case's faces, in order; returns how many faces were compared. */
    private static int compare(JsonNode cases, double scoreTolerance) {
        List<String> failures = new ArrayList<>();
        int compared = 0;
        double worst = 0;
        for (JsonNode c : cases) {
            String id = c.path("id").asText();
            List<DetectedFace> mine = loupe.get(id);
            JsonNode theirs = c.path("faces");
            if (mine.size() != theirs.size()) {
                failures.add(id + ": Loupe found " + mine.size() + " faces, the reference " + theirs.size());
                continue;
            }
            for (int f = 0; f < mine.size(); f++) {
                DetectedFace m = mine.get(f);
                JsonNode t = theirs.get(f);
                float[] box = {m.box().x1(), m.box().y1(), m.box().x2(), m.box().y2()};
                float[] marks = m.landmarks().toArray();
                double d = 0;
                for (int k = 0; k < 4; k++) d = Math.max(d, Math.abs(box[k] - t.path("box").get(k).asDouble()));
                for (int k = 0; k < 10; k++) d = Math.max(d, Math.abs(marks[k] - t.path("landmarks").get(k).asDouble()));
                worst = Math.max(worst, d);
                if (d > 0.5) failures.add(id + " face " + f + ": " + d + " px from the reference");
                if (Math.abs(m.score() - t.path("score").asDouble()) > scoreTolerance) {
                    failures.add(id + " face " + f + ": score " + m.score() + " vs " + t.path("score").asDouble());
                }
                compared++;
            }
        }
        System.out.printf("%d faces compared, largest coordinate difference %.4f px%n", compared, worst);
        assertEquals(List.of(), failures);
        return compared;
    }

    private static String writeFloats(String name, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        Files.write(dir.resolve(name), b.array());
        return name;
    }

    /** The photos of {@code ../shared/data/faces}, upright (EXIF applied) as Loupe decodes them. */
    static List<BufferedImage> photos() throws Exception {
        ImageDecoder decoder = new ImageDecoder(100_000_000L);
        List<BufferedImage> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Fixtures.shared().resolve("data/faces"))) {
            for (Path p : files.filter(f -> f.toString().matches(".*\\.jpe?g")).sorted().toList()) {
                out.add(decoder.decode(Files.readAllBytes(p), Integer.MAX_VALUE, Integer.MAX_VALUE).image());
            }
        }
        assertEquals(PHOTOS, out.size(), "photos in ../shared/data/faces");
        return out;
    }
}
