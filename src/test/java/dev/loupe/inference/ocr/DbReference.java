package dev.loupe.inference.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code scripts/ocr_reference.py} (Debian's python3-opencv, python3-pyclipper, numpy) on maps the tests write. */
final class DbReference {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DbReference() {}

    /** PaddleOCR's boxes for the map, scaled to {@code destWidth × destHeight}. */
    static List<DbPostProcess.Box> boxes(Path dir, String name, DbPostProcess.ProbabilityMap map, int destWidth, int destHeight, OcrOptions.DbOptions o)
            throws IOException, InterruptedException {
        Path file = dir.resolve(name + ".f32");
        ByteBuffer b = ByteBuffer.allocate(map.p().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : map.p()) b.putFloat(v);
        Files.write(file, b.array());
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "scripts/ocr_reference.py", "boxes", file.toString(),
                "" + map.width(), "" + map.height(), "" + destWidth, "" + destHeight,
                "--thresh", "" + o.threshold(), "--box-thresh", "" + o.boxThreshold(), "--unclip", "" + o.unclipRatio(), "--max-candidates", "" + o.maxCandidates()));
        if (o.dilate()) cmd.add("--dilate");
        List<DbPostProcess.Box> out = new ArrayList<>();
        for (JsonNode box : run(cmd).path("boxes")) {
            double[] xy = new double[8];
            for (int i = 0; i < 4; i++) {
                xy[2 * i] = box.path("points").get(i).get(0).asDouble();
                xy[2 * i + 1] = box.path("points").get(i).get(1).asDouble();
            }
            out.add(new DbPostProcess.Box(new Quad(xy), box.path("score").asDouble()));
        }
        return out;
    }

    /** {@code cv2.findContours(RETR_LIST, CHAIN_APPROX_SIMPLE)} of the bitmap, each contour as {@code x0, y0, …}. */
    static List<int[]> contours(Path dir, String name, boolean[] bitmap, int width, int height) throws IOException, InterruptedException {
        Path file = dir.resolve(name + ".u8");
        byte[] bytes = new byte[bitmap.length];
        for (int i = 0; i < bitmap.length; i++) bytes[i] = (byte) (bitmap[i] ? 1 : 0);
        Files.write(file, bytes);
        List<int[]> out = new ArrayList<>();
        for (JsonNode c : run(List.of("/usr/bin/python3", "scripts/ocr_reference.py", "contours", file.toString(), "" + width, "" + height)).path("contours")) {
            int[] xy = new int[c.size() * 2];
            for (int i = 0; i < c.size(); i++) {
                xy[2 * i] = c.get(i).get(0).asInt();
                xy[2 * i + 1] = c.get(i).get(1).asInt();
            }
            out.add(xy);
        }
        return out;
    }

    private static JsonNode run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] stdout = p.getInputStream().readAllBytes();
        String stderr = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor(), "scripts/ocr_reference.py (needs Debian's python3-opencv, python3-pyclipper, python3-numpy) failed:\n" + stderr);
        return JSON.readTree(stdout);
    }
}
