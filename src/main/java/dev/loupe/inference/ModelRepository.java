package dev.loupe.inference;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * Named models under the models directory ({@code <modelsDir>/<name>/}), loaded once
 * and shared. One ONNX Runtime environment serves all sessions.
 */
public final class ModelRepository implements AutoCloseable {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path modelsDir;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final ConcurrentMap<String, DualEncoder> dualEncoders = new ConcurrentHashMap<>();

    public ModelRepository(Path modelsDir) {
        this.modelsDir = modelsDir;
    }

    public Path modelsDir() {
        return modelsDir;
    }

    public DualEncoder dualEncoder(String name) {
        if (!NAME.matcher(name).matches()) throw new ModelUnavailableException("invalid model name: " + name);
        return dualEncoders.computeIfAbsent(name, n -> DualEncoder.load(n, modelsDir.resolve(n), env, sessionOptions()));
    }

    private static OrtSession.SessionOptions sessionOptions() {
        try {
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setIntraOpNumThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
            return o;
        } catch (OrtException e) {
            throw new IllegalStateException("cannot configure ONNX Runtime: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        dualEncoders.values().forEach(DualEncoder::close);
        dualEncoders.clear();
    }
}
