package dev.loupe.blob;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Where {@code --blob-store s3} keeps sources and thumbnails: one bucket of an S3-compatible
 * store, addressed path-style ({@code <endpoint>/<bucket>/<key>}, as MinIO, Ceph and S3Proxy
 * expect), sources under {@code blobs/} and thumbnails under {@code thumbnails/}. Flags, each
 * with its environment variable ({@code --s3-bucket} / {@code LOUPE_S3_BUCKET}); a flag wins:
 * <pre>
 *   --blob-store           file (default: under the data directory) | s3
 *   --s3-endpoint          the store's base URL (default: AWS's endpoint for the region)
 *   --s3-region            signing region (default us-east-1)
 *   --s3-bucket            the bucket, which must exist
 *   --s3-access-key-file   a file of two lines, access key id then secret access key; or the
 *                          variables LOUPE_S3_ACCESS_KEY_ID and LOUPE_S3_SECRET_ACCESS_KEY; neither:
 *                          the AWS default chain (AWS_* variables, ~/.aws, instance roles)
 * </pre>
 *
 * @param credentials explicit keys, or empty for the AWS default credentials provider chain
 */
public record S3Settings(Optional<URI> endpoint, String region, String bucket, Optional<Credentials> credentials) {
    public static final String DEFAULT_REGION = "us-east-1";
    public static final String ACCESS_KEY_ID_ENV = "LOUPE_S3_ACCESS_KEY_ID";
    public static final String SECRET_ACCESS_KEY_ENV = "LOUPE_S3_SECRET_ACCESS_KEY";
    /** S3's bucket naming rules, less the dots (path-style addressing needs none, and they break TLS names). */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    private static final List<String> FLAGS = List.of("s3-endpoint", "s3-region", "s3-bucket", "s3-access-key-file");

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint");
        endpoint.ifPresent(u -> {
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("--s3-endpoint (LOUPE_S3_ENDPOINT) must be an http(s) URL such as http://127.0.0.1:9000, got: " + u);
            }
        });
        if (region == null || !REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("--s3-region (LOUPE_S3_REGION) must be a region such as us-east-1, got: " + region);
        }
        if (bucket == null || !BUCKET.matcher(bucket).matches()) {
            throw new IllegalArgumentException("--s3-bucket (LOUPE_S3_BUCKET) must be a bucket name (3-63 lower-case letters, digits, dashes), got: " + bucket);
        }
        Objects.requireNonNull(credentials, "credentials");
    }

    /** An access key pair; {@link #toString} shows the key id only, so settings can be logged. */
    public record Credentials(String accessKeyId, String secretAccessKey) {
        private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e]{1,256}");

        public Credentials {
            if (accessKeyId == null || !PRINTABLE.matcher(accessKeyId).matches()) throw new IllegalArgumentException("the S3 access key id must be printable ASCII without spaces");
            if (secretAccessKey == null || !PRINTABLE.matcher(secretAccessKey).matches()) throw new IllegalArgumentException("the S3 secret access key must be printable ASCII without spaces");
        }

        @Override
        public String toString() {
            return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=[secret]]";
        }
    }

    /**
     * The S3 store {@code --blob-store s3} asks for, or empty for {@code file}; {@code option} gives a
     * flag's value (or its variable's) and null when unset, {@code env} the environment.
     */
    public static Optional<S3Settings> from(String blobStore, Function<String, String> option, Function<String, String> env) {
        String kind = blobStore == null ? "file" : blobStore.strip().toLowerCase(java.util.Locale.ROOT);
        String id = env.apply(ACCESS_KEY_ID_ENV);
        String secret = env.apply(SECRET_ACCESS_KEY_ENV);
        switch (kind) {
            case "file", "" -> {
                for (String flag : FLAGS) {
                    if (option.apply(flag) != null) throw new IllegalArgumentException("--" + flag + " is set but --blob-store (LOUPE_BLOB_STORE) is file, not s3");
                }
                if (id != null || secret != null) {
                    throw new IllegalArgumentException((id != null ? ACCESS_KEY_ID_ENV : SECRET_ACCESS_KEY_ENV) + " is set but --blob-store (LOUPE_BLOB_STORE) is file, not s3");
                }
                return Optional.empty();
            }
            case "s3" -> {
            }
            default -> throw new IllegalArgumentException("--blob-store (LOUPE_BLOB_STORE) must be file or s3, got: " + blobStore);
        }
        String bucket = option.apply("s3-bucket");
        if (bucket == null) throw new IllegalArgumentException("--blob-store s3 needs --s3-bucket (LOUPE_S3_BUCKET)");
        Optional<URI> endpoint = Optional.ofNullable(option.apply("s3-endpoint")).map(String::strip).map(u -> {
            try {
                return new URI(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("--s3-endpoint (LOUPE_S3_ENDPOINT) is not a URL: " + e.getMessage());
            }
        });
        String region = Optional.ofNullable(option.apply("s3-region")).map(String::strip).orElse(DEFAULT_REGION);
        return Optional.of(new S3Settings(endpoint, region, bucket.strip(), credentials(option.apply("s3-access-key-file"), id, secret)));
    }

    private static Optional<Credentials> credentials(String file, String id, String secret) {
        if (file != null && (id != null || secret != null)) {
            throw new IllegalArgumentException("S3 keys come from --s3-access-key-file or " + ACCESS_KEY_ID_ENV + "/" + SECRET_ACCESS_KEY_ENV + ", not both");
        }
        if (file != null) return Optional.of(readKeyFile(Path.of(file.strip())));
        if (id == null && secret == null) return Optional.empty();
        if (id == null || secret == null) {
            throw new IllegalArgumentException((id == null ? SECRET_ACCESS_KEY_ENV + " is set without " + ACCESS_KEY_ID_ENV
                    : ACCESS_KEY_ID_ENV + " is set without " + SECRET_ACCESS_KEY_ENV) + "; set both, or neither for the AWS default chain");
        }
        return Optional.of(new Credentials(id.strip(), secret.strip()));
    }

    /** Two non-blank lines: access key id, then secret access key. The message never quotes the file. */
    private static Credentials readKeyFile(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("--s3-access-key-file " + path + " cannot be read: " + e.getMessage());
        }
        if (lines.size() != 2) {
            throw new IllegalArgumentException("--s3-access-key-file " + path + " must hold two lines, the access key id then the secret access key; it holds "
                    + lines.size());
        }
        try {
            return new Credentials(lines.get(0), lines.get(1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--s3-access-key-file " + path + ": " + e.getMessage());
        }
    }
}
