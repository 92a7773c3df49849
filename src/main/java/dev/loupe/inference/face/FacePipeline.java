package dev.loupe.inference.face;

import dev.loupe.inference.ModelUnavailableException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Detect → align → embed → score, over a batch of images: every image of the call is
 * detected first, then all their faces go to the recogniser in one call (which batches them
 * as far as its graph allows), so the model calls are per batch, not per image.
 */
public final class FacePipeline {
    private final FaceDetector detector;
    private final FaceAligner aligner;
    private final FaceEmbedder embedder;

    public FacePipeline(FaceDetector detector, FaceAligner aligner, FaceEmbedder embedder) {
        if (!detector.hasLandmarks()) {
            throw new ModelUnavailableException("face detector '" + detector.name() + "' gives no landmarks, which alignment needs; use a keypoint model");
        }
        this.detector = detector;
        this.aligner = aligner;
        this.embedder = embedder;
    }

    public FaceDetector detector() {
        return detector;
    }

    public FaceEmbedder embedder() {
        return embedder;
    }

    /** An upright RGB image and its detector input, made ahead of the model call by {@link #prepare}. */
    public record Prepared(BufferedImage upright, DetectorInput input) {
    }

    /** The letterbox of {@code upright}, the per-image work that need not wait for, or hold up, the model. */
    public Prepared prepare(BufferedImage upright) {
        return new Prepared(upright, detector.input(upright));
    }

    /** The faces of each upright RGB image (list i for image i); an image without faces gives an empty list. */
    public List<List<Face>> analyse(List<BufferedImage> upright, FaceOptions options) {
        return analysePrepared(upright.stream().map(this::prepare).toList(), options);
    }

    /** {@link #analyse} on images made ready by {@link #prepare}. */
    public List<List<Face>> analysePrepared(List<Prepared> images, FaceOptions options) {
        List<List<DetectedFace>> detected = detector.detectInputs(images.stream().map(Prepared::input).toList(), options);
        List<BufferedImage> crops = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            for (DetectedFace f : detected.get(i)) crops.add(aligner.align(images.get(i).upright(), f.landmarks()));
        }
        float[][] embeddings = embedder.embedRaw(crops);
        List<List<Face>> out = new ArrayList<>(images.size());
        int k = 0;
        for (List<DetectedFace> faces : detected) {
            List<Face> image = new ArrayList<>(faces.size());
            for (DetectedFace f : faces) {
                BufferedImage crop = crops.get(k);
                image.add(new Face(f, crop, embeddings[k], FaceQuality.of(crop, f)));
                k++;
            }
            out.add(List.copyOf(image));
        }
        return out;
    }
}
