package dev.loupe.provider;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Vertex AI's {@code multimodalembedding@001}, when configured. Flags, each with its
 * environment variable ({@code --vertex-project} / {@code LOUPE_VERTEX_PROJECT}); a flag wins:
 * <pre>
 *   --vertex-project         Google Cloud project id (unset: no Vertex, and none of the others may be set)
 *   --vertex-location        region (default us-central1)
 *   --vertex-dimension       128 | 256 | 512 | 1408 (default 1408)
 *   --vertex-url             base URL (default https://{location}-aiplatform.googleapis.com)
 *   --vertex-token-file      a file holding an OAuth access token, read again for every request so a
 *                            refresher (gcloud auth print-access-token, hourly) can replace it;
 *                            or the variable LOUPE_VERTEX_ACCESS_TOKEN holds one
 *   --vertex-timeout, --vertex-connect-timeout, --vertex-concurrency, --vertex-max-attempts,
 *   --vertex-image-max-side  as the --vlm-* ones
 * </pre>
 */
public record VertexSettings(String project, String location, int dimension, URI baseUrl, Optional<Secret> token,
                             Optional<Path> tokenFile, int imageMaxSide, CallPolicy calls) {
    public static final int DEFAULT_DIMENSION = 1408;
    public static final Set<Integer> DIMENSIONS = Set.of(128, 256, 512, 1408);
    public static final String DEFAULT_LOCATION = "us-central1";
    public static final String TOKEN_ENV = "LOUPE_VERTEX_ACCESS_TOKEN";
    private static final Pattern PROJECT = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern LOCATION = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    private static final java.util.List<String> FLAGS = java.util.List.of("vertex-location", "vertex-dimension", "vertex-url", "vertex-token-file",
            "vertex-timeout", "vertex-connect-timeout", "vertex-concurrency", "vertex-max-attempts", "vertex-image-max-side");

    public VertexSettings {
        if (project == null || !PROJECT.matcher(project).matches()) {
            throw new IllegalArgumentException("--vertex-project (LOUPE_VERTEX_PROJECT) must be a project id (lower-case letters, digits, dashes), got: " + project);
        }
        if (location == null || !LOCATION.matcher(location).matches()) {
            throw new IllegalArgumentException("--vertex-location (LOUPE_VERTEX_LOCATION) must be a region such as us-central1, got: " + location);
        }
        if (!DIMENSIONS.contains(dimension)) throw new IllegalArgumentException("--vertex-dimension (LOUPE_VERTEX_DIMENSION) must be 128, 256, 512 or 1408, got: " + dimension);
        baseUrl = ProviderSettings.baseUrl("--vertex-url (LOUPE_VERTEX_URL)", baseUrl);
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(tokenFile, "tokenFile");
        if (token.isPresent() == tokenFile.isPresent()) {
            throw new IllegalArgumentException("Vertex needs one access token: " + TOKEN_ENV + " or --vertex-token-file" + (token.isPresent() ? ", not both" : ""));
        }
        if (imageMaxSide < 64 || imageMaxSide > ProviderSettings.MAX_IMAGE_SIDE) {
            throw new IllegalArgumentException("--vertex-image-max-side (LOUPE_VERTEX_IMAGE_MAX_SIDE) must be 64.." + ProviderSettings.MAX_IMAGE_SIDE + ", got: " + imageMaxSide);
        }
        Objects.requireNonNull(calls, "calls");
    }

    public static URI defaultUrl(String location) {
        return URI.create("https://" + location + "-aiplatform.googleapis.com");
    }

    /** As {@link ProviderSettings#from}: empty when {@code --vertex-project} is unset. */
    public static Optional<VertexSettings> from(Function<String, String> option, Function<String, String> env) {
        Function<String, String> value = ProviderSettings.lookup(option, env);
        if (option.apply("vertex-token") != null) {
            throw new IllegalArgumentException("the token is never a flag (flags show in process lists): set " + TOKEN_ENV + " or --vertex-token-file");
        }
        String project = value.apply("vertex-project");
        if (project == null) {
            for (String flag : FLAGS) {
                if (value.apply(flag) != null) throw new IllegalArgumentException("--" + flag + " is set but --vertex-project (LOUPE_VERTEX_PROJECT) is not");
            }
            if (env.apply(TOKEN_ENV) != null) throw new IllegalArgumentException(TOKEN_ENV + " is set but --vertex-project (LOUPE_VERTEX_PROJECT) is not");
            return Optional.empty();
        }
        String location = Optional.ofNullable(value.apply("vertex-location")).orElse(DEFAULT_LOCATION).strip();
        URI url;
        try {
            url = value.apply("vertex-url") == null ? defaultUrl(location) : new URI(value.apply("vertex-url").strip());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--vertex-url (LOUPE_VERTEX_URL) is not a URL: " + e.getMessage());
        }
        String file = value.apply("vertex-token-file");
        String inline = env.apply(TOKEN_ENV);
        Optional<Secret> token = Optional.empty();
        if (inline != null && !inline.isBlank()) {
            try {
                token = Optional.of(Secret.of(inline.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(TOKEN_ENV + ": " + e.getMessage());
            }
        }
        Optional<Path> tokenFile = Optional.ofNullable(file).map(Path::of);
        tokenFile.ifPresent(p -> ProviderSettings.readKeyFile(p, "--vertex-token-file")); // unreadable at start-up is a start-up error
        CallPolicy calls = CallPolicy.DEFAULT
                .withTimeouts(ProviderSettings.seconds(value, "vertex-connect-timeout", CallPolicy.DEFAULT_CONNECT_TIMEOUT),
                        ProviderSettings.seconds(value, "vertex-timeout", CallPolicy.DEFAULT_TIMEOUT))
                .withLimits(ProviderSettings.number(value, "vertex-concurrency", CallPolicy.DEFAULT_CONCURRENCY, 1, CallPolicy.MAX_CONCURRENCY),
                        ProviderSettings.number(value, "vertex-max-attempts", CallPolicy.DEFAULT_MAX_ATTEMPTS, 1, CallPolicy.MAX_MAX_ATTEMPTS));
        int dimension = ProviderSettings.number(value, "vertex-dimension", DEFAULT_DIMENSION, 1, 1408);
        int side = ProviderSettings.number(value, "vertex-image-max-side", ProviderSettings.DEFAULT_IMAGE_MAX_SIDE, 64, ProviderSettings.MAX_IMAGE_SIDE);
        return Optional.of(new VertexSettings(project, location, dimension, url, token, tokenFile, side, calls));
    }

    /** The token for the next request: the file's current content, or the variable's. */
    Secret currentToken() {
        return token.orElseGet(() -> ProviderSettings.readKeyFile(tokenFile.orElseThrow(), "--vertex-token-file"));
    }

    public URI endpoint() {
        return URI.create(baseUrl + "/v1/projects/" + project + "/locations/" + location + "/publishers/google/models/multimodalembedding@001:predict");
    }
}
