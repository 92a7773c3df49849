package dev.loupe.inference.clip;

import dev.loupe.inference.Memo;
import dev.loupe.inference.ModelManifest;
import dev.loupe.inference.ModelRepository;
import dev.loupe.inference.ModelUnavailableException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Dual encoders by model name, loaded once and shared until {@link #close}. The models come
 * from the {@link ModelRepository}: a folder in the OpenCLIP/Immich layout, fetched on first
 * use when a manifest says where from, or installed by hand. It lives here rather than in the
 * repository so that the CLIP family depends on the model catalogue and not the other way round.
 */
public final class DualEncoders implements AutoCloseable {
    private final ModelRepository repository;
    private final Memo<String, DualEncoder> encoders = Memo.unbounded();

    public DualEncoders(ModelRepository repository) {
        this.repository = repository;
    }

    public DualEncoder encoder(String name) {
        ModelRepository.checkName(name);
        return encoders.get(name, n -> ModelRepository.onLargeStack(() -> load(n)));
    }

    /**
     * Loads a model, fetching it first when it is missing and a manifest says where from.
     * A downloaded model that fails to load is cleared and fetched again, once.
     */
    private DualEncoder load(String name) {
        Path dir = repository.folder(name);
        Optional<ModelManifest> manifest = repository.catalog().find(name);
        List<String> missing = DualEncoder.missingFiles(dir);
        if (!missing.isEmpty()) {
            if (manifest.isEmpty()) {
                throw new ModelUnavailableException("model '" + name + "' is not installed (missing " + dir.resolve(missing.getFirst())
                        + ") and no manifest says where to fetch it; put its files (OpenCLIP/Immich layout) in " + dir);
            }
            repository.fetch(manifest.get());
        }
        try {
            return DualEncoder.load(name, dir, manifest.orElse(null), repository.environment(), ModelRepository.sessionOptions());
        } catch (ModelUnavailableException e) {
            if (manifest.isEmpty() || !repository.refetchCorrupt(manifest.get(), e)) throw e;
            return DualEncoder.load(name, dir, manifest.get(), repository.environment(), ModelRepository.sessionOptions());
        }
    }

    @Override
    public void close() {
        encoders.clear().forEach(DualEncoder::close);
    }
}
