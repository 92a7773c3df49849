package dev.loupe.inference.face;

import dev.loupe.inference.Memo;
import dev.loupe.inference.ModelKind;
import dev.loupe.inference.ModelManifest;
import dev.loupe.inference.ModelRepository;
import java.util.EnumSet;

/**
 * Face detectors and recognisers by model name, loaded once and shared. The models come
 * from the {@link ModelRepository}: named manifests ({@code face_detector},
 * {@code face_recognizer}, or a {@code face_pack} holding both), downloaded on first use like
 * the image models, or installed by hand. It lives here rather than in the repository so that
 * the face family depends on the model catalogue and not the other way round.
 */
public final class FaceModels implements AutoCloseable {
    private final ModelRepository repository;
    private final Memo<String, FaceDetector> detectors = Memo.unbounded();
    private final Memo<String, FaceEmbedder> embedders = Memo.unbounded();

    public FaceModels(ModelRepository repository) {
        this.repository = repository;
    }

    public FaceDetector detector(String name) {
        return detectors.get(name, n -> ModelRepository.onLargeStack(() -> {
            ModelManifest m = repository.installed(n, EnumSet.of(ModelKind.FACE_DETECTOR, ModelKind.FACE_PACK));
            ModelManifest.Face.Detector d = m.face().detector();
            return FaceDetector.load(n, repository.folder(n).resolve(d.file()), d.inputSizeOrDefault(), repository.environment(),
                    ModelRepository.sessionOptions());
        }));
    }

    public FaceEmbedder embedder(String name) {
        return embedders.get(name, n -> ModelRepository.onLargeStack(() -> {
            ModelManifest m = repository.installed(n, EnumSet.of(ModelKind.FACE_RECOGNIZER, ModelKind.FACE_PACK));
            ModelManifest.Face.Recognizer r = m.face().recognizer();
            return FaceEmbedder.load(n, repository.folder(n).resolve(r.file()), r.inputMean(), r.inputStd(), repository.environment(),
                    ModelRepository.sessionOptions());
        }));
    }

    /** A pipeline of a detector and a recogniser by name (the same name for a face pack). */
    public FacePipeline pipeline(String detector, String recognizer) {
        return new FacePipeline(detector(detector), new FaceAligner(), embedder(recognizer));
    }

    @Override
    public void close() {
        detectors.clear().forEach(FaceDetector::close);
        embedders.clear().forEach(FaceEmbedder::close);
    }
}
