package dev.loupe.inference;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * Opening a graph's session and building the model on it as one step: a session whose model
 * is refused (wrong inputs, unreadable metadata) is closed again, not left holding native
 * memory, and every failure reaches the caller as a {@link ModelUnavailableException}.
 */
public final class OnnxSessions {
    private OnnxSessions() {}

    /** Opens a session. */
    @FunctionalInterface
    public interface Opener {
        OrtSession open() throws OrtException;
    }

    /** Builds the model on an open session; throws when the graph does not fit. */
    @FunctionalInterface
    public interface Builder<T> {
        T build(OrtSession session) throws OrtException;
    }

    /**
     * The model built on a newly opened session. A {@link ModelUnavailableException} from
     * {@code build} passes unchanged; any other failure becomes one whose message starts with
     * {@code what} ("face recogniser 'x' in /m/x.onnx") followed by " cannot be loaded: ".
     */
    public static <T> T open(String what, Opener opener, Builder<T> build) {
        OrtSession session = null;
        try {
            session = opener.open();
            return build.build(session);
        } catch (OrtException | RuntimeException e) {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException ignored) {
                    // the load failure is what the caller needs to see
                }
            }
            if (e instanceof ModelUnavailableException m) throw m;
            throw new ModelUnavailableException(what + " cannot be loaded: " + e.getMessage(), e);
        }
    }
}
