package dev.loupe.config;

import dev.loupe.index.VectorQuantization;
import dev.loupe.provider.ProviderSettings;
import dev.loupe.provider.VertexSettings;
import dev.loupe.queue.kafka.KafkaQueueOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Everything an operator can set, read once at start-up from command-line flags
 * ({@code --port 8080}) or environment variables ({@code LOUPE_PORT=8080}); a flag wins.
 *
 * @param port              HTTP port; 0 picks a free one
 * @param dataDir           the one directory holding all state: catalog, queue, index, files
 * @param modelsDir         where model folders live ({@code <modelsDir>/<model-name>/...})
 * @param defaultImageModel the dual encoder {@code image_extractor} uses
 * @param allowPrivateUrls  whether blob URLs may resolve to loopback, private or link-local hosts
 * @param maxBlobBytes      largest accepted blob, inline or fetched
 * @param maxPixels         largest accepted image area (width × height), against decompression bombs
 * @param workers           ingestion worker threads
 * @param batchSize         objects one worker claims and embeds together
 * @param adminKey          an admin API key to install at start-up instead of generating one
 * @param publicUrl         base URL used in {@code thumbnail_url}; empty means the address and port each request reached
 * @param offline           never download models; a missing model is an error that says what to fetch
 * @param modelEndpoint     where {@code {hf}} in model manifests points (a Hugging Face mirror, say)
 * @param vectorQuantization what the nearest-neighbour graphs score: float32 vectors, or int8 with float rescoring
 * @param host              the address to listen on: 0.0.0.0 for every interface, 127.0.0.1 for this machine only
 * @param maxAttempts       attempts an ingestion item gets before it is given up (FAILED), counting those a crash cut short
 * @param fetchTimeout      the longest a whole blob URL fetch may take, connection to last byte
 * @param fetchMinRate      the slowest blob URL transfer tolerated, in bytes per second over any 10 s; 0 turns it off
 * @param multimodalModel   the dual encoder of {@code multimodal_extractor}'s cross-modal embedding
 * @param vision            the vision-language model provider of descriptions and structured fields, if any
 * @param vertex            Vertex AI's multimodal embeddings, if configured ({@code --multimodal-model vertex} uses them)
 * @param s3                the S3 bucket sources and thumbnails live in ({@code --blob-store s3}); empty: files under the data directory
 * @param catalog           where the catalog and work queue live: SQLite in the data dir, or a shared PostgreSQL
 * @param index             where the documents live: embedded Lucene or a SolrCloud cluster
 * @param kafka             where work is dispatched when {@code --queue kafka}; empty: the catalog's SQL queue alone
 */
public record Settings(
        int port,
        Path dataDir,
        Path modelsDir,
        String defaultImageModel,
        boolean allowPrivateUrls,
        long maxBlobBytes,
        long maxPixels,
        int workers,
        int batchSize,
        Optional<String> adminKey,
        Optional<String> publicUrl,
        boolean offline,
        String modelEndpoint,
        VectorQuantization vectorQuantization,
        String host,
        int maxAttempts,
        Duration fetchTimeout,
        long fetchMinRate,
        String multimodalModel,
        Optional<ProviderSettings> vision,
        Optional<VertexSettings> vertex,
        Optional<dev.loupe.blob.S3Settings> s3,
        CatalogSettings catalog,
        IndexSettings index,
        Optional<KafkaQueueOptions> kafka) {

    public static final String DEFAULT_IMAGE_MODEL = "siglip_base";
    public static final String EVERY_INTERFACE = "0.0.0.0";

    /** Settings listening on every interface, as Loupe does unless told otherwise. */
    public Settings(int port, Path dataDir, Path modelsDir, String defaultImageModel, boolean allowPrivateUrls, long maxBlobBytes,
                    long maxPixels, int workers, int batchSize, Optional<String> adminKey, Optional<String> publicUrl, boolean offline,
                    String modelEndpoint, VectorQuantization vectorQuantization) {
        this(port, dataDir, modelsDir, defaultImageModel, allowPrivateUrls, maxBlobBytes, maxPixels, workers, batchSize, adminKey,
                publicUrl, offline, modelEndpoint, vectorQuantization, EVERY_INTERFACE);
    }

    /** Settings with the default attempts and fetch bounds. */
    public Settings(int port, Path dataDir, Path modelsDir, String defaultImageModel, boolean allowPrivateUrls, long maxBlobBytes,
                    long maxPixels, int workers, int batchSize, Optional<String> adminKey, Optional<String> publicUrl, boolean offline,
                    String modelEndpoint, VectorQuantization vectorQuantization, String host) {
        this(port, dataDir, modelsDir, defaultImageModel, allowPrivateUrls, maxBlobBytes, maxPixels, workers, batchSize, adminKey,
                publicUrl, offline, modelEndpoint, vectorQuantization, host, DEFAULT_MAX_ATTEMPTS, DEFAULT_FETCH_TIMEOUT, DEFAULT_FETCH_MIN_RATE);
    }

    /** Settings keeping blobs and thumbnails under the data directory. */
    public Settings(int port, Path dataDir, Path modelsDir, String defaultImageModel, boolean allowPrivateUrls, long maxBlobBytes,
                    long maxPixels, int workers, int batchSize, Optional<String> adminKey, Optional<String> publicUrl, boolean offline,
                    String modelEndpoint, VectorQuantization vectorQuantization, String host, int maxAttempts, Duration fetchTimeout,
                    long fetchMinRate, String multimodalModel, Optional<ProviderSettings> vision, Optional<VertexSettings> vertex) {
        this(port, dataDir, modelsDir, defaultImageModel, allowPrivateUrls, maxBlobBytes, maxPixels, workers, batchSize, adminKey,
                publicUrl, offline, modelEndpoint, vectorQuantization, host, maxAttempts, fetchTimeout, fetchMinRate, multimodalModel,
                vision, vertex, Optional.empty(), CatalogSettings.SQLITE, IndexSettings.EMBEDDED, Optional.empty());
    }

    /** Settings whose cross-modal embedding uses the image model. */
    public Settings(int port, Path dataDir, Path modelsDir, String defaultImageModel, boolean allowPrivateUrls, long maxBlobBytes,
                    long maxPixels, int workers, int batchSize, Optional<String> adminKey, Optional<String> publicUrl, boolean offline,
                    String modelEndpoint, VectorQuantization vectorQuantization, String host, int maxAttempts, Duration fetchTimeout,
                    long fetchMinRate) {
        this(port, dataDir, modelsDir, defaultImageModel, allowPrivateUrls, maxBlobBytes, maxPixels, workers, batchSize, adminKey,
                publicUrl, offline, modelEndpoint, vectorQuantization, host, maxAttempts, fetchTimeout, fetchMinRate, defaultImageModel,
                Optional.empty(), Optional.empty());
    }

    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(60);
    public static final long DEFAULT_FETCH_MIN_RATE = 4096;
    /** Bounds on the operator's numbers, so that a typo (an extra zero or three) is an error, not an unbounded wait. */
    static final int MAX_MAX_ATTEMPTS = 100;
    static final long MAX_FETCH_TIMEOUT_SECONDS = 3600;

    public Settings {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got: " + port);
        if (maxBlobBytes < 1) throw new IllegalArgumentException("max blob bytes must be positive, got: " + maxBlobBytes);
        if (maxPixels < 1) throw new IllegalArgumentException("max pixels must be positive, got: " + maxPixels);
        if (workers < 1) throw new IllegalArgumentException("workers must be at least 1, got: " + workers);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got: " + batchSize);
        if (maxAttempts < 1 || maxAttempts > MAX_MAX_ATTEMPTS) {
            throw new IllegalArgumentException("--max-attempts (LOUPE_MAX_ATTEMPTS) must be 1.." + MAX_MAX_ATTEMPTS + ", got: " + maxAttempts);
        }
        if (fetchTimeout == null || fetchTimeout.isNegative() || fetchTimeout.isZero() || fetchTimeout.toSeconds() > MAX_FETCH_TIMEOUT_SECONDS) {
            throw new IllegalArgumentException("--fetch-timeout (LOUPE_FETCH_TIMEOUT) must be 1.." + MAX_FETCH_TIMEOUT_SECONDS
                    + " seconds, got: " + (fetchTimeout == null ? null : fetchTimeout.toSeconds()));
        }
        if (fetchMinRate < 0 || fetchMinRate > maxBlobBytes) {
            throw new IllegalArgumentException("--fetch-min-rate (LOUPE_FETCH_MIN_RATE) must be 0.." + maxBlobBytes
                    + " bytes per second (0 turns it off; at most --max-blob-bytes), got: " + fetchMinRate);
        }
        if (defaultImageModel == null || defaultImageModel.isBlank()) throw new IllegalArgumentException("default image model must be named");
        if (multimodalModel == null || multimodalModel.isBlank()) multimodalModel = defaultImageModel;
        if (vision == null) vision = Optional.empty();
        if (vertex == null) vertex = Optional.empty();
        if (s3 == null) s3 = Optional.empty();
        if (index == null) index = IndexSettings.EMBEDDED;
        if (kafka == null) kafka = Optional.empty();
        if (multimodalModel.equals("vertex") && vertex.isEmpty()) {
            throw new IllegalArgumentException("--multimodal-model vertex needs Vertex AI configured: --vertex-project and a token (--vertex-token-file or "
                    + VertexSettings.TOKEN_ENV + ")");
        }
        if (host == null || !HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("host must be an IP address or host name to listen on (e.g. 127.0.0.1 or 0.0.0.0), got: " + host);
        }
    }

    /** One documented option: its flag, environment variable and default. */
    private static final java.util.regex.Pattern HOST_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9.:\\-]{1,253}");

    public enum Option {
        PORT("port", "8080", "HTTP port (0 = any free port)"),
        HOST("host", EVERY_INTERFACE, "address to listen on (127.0.0.1: this machine only)"),
        DATA_DIR("data-dir", "./loupe-data", "directory holding all state"),
        MODELS_DIR("models-dir", "./models", "directory holding model folders"),
        IMAGE_MODEL("image-model", DEFAULT_IMAGE_MODEL, "dual encoder used by image_extractor"),
        MULTIMODAL_MODEL("multimodal-model", "", "dual encoder of multimodal_extractor's cross-modal embedding (default: the image model)"),
        ALLOW_PRIVATE_URLS("allow-private-urls", "false", "let blob URLs reach loopback/private/link-local hosts", true),
        MAX_BLOB_BYTES("max-blob-bytes", String.valueOf(50L << 20), "largest accepted blob in bytes"),
        MAX_PIXELS("max-pixels", "100000000", "largest accepted image area in pixels"),
        WORKERS("workers", "1", "ingestion worker threads"),
        BATCH_SIZE("batch-size", "16", "objects embedded together by one worker"),
        ADMIN_KEY("admin-key", "", "install this admin API key instead of generating one"),
        PUBLIC_URL("public-url", "", "base URL for thumbnail_url (default: the address each request reached; the Host header is never used)"),
        OFFLINE("offline", "false", "never download models", true),
        MODEL_ENDPOINT("model-endpoint", "https://huggingface.co", "Hugging Face endpoint or mirror for model downloads"),
        VECTOR_QUANTIZATION("vector-quantization", "none", "none (float32 graphs) or int8 (quantized graphs, float rescoring)"),
        MAX_ATTEMPTS("max-attempts", String.valueOf(DEFAULT_MAX_ATTEMPTS), "attempts an ingestion item gets (a crash mid-item counts) before it fails"),
        FETCH_TIMEOUT("fetch-timeout", String.valueOf(DEFAULT_FETCH_TIMEOUT.toSeconds()), "seconds one blob URL fetch may take in all"),
        FETCH_MIN_RATE("fetch-min-rate", String.valueOf(DEFAULT_FETCH_MIN_RATE), "slowest blob URL transfer in bytes/s over any 10 s (0 = off)"),
        VLM_PROVIDER("vlm-provider", "", "vision-language model provider of descriptions and response_shape: openai, gemini or ollama"),
        VLM_URL("vlm-url", "", "the provider's base URL (default per provider: https://api.openai.com/v1, https://generativelanguage.googleapis.com, http://localhost:11434)"),
        VLM_MODEL("vlm-model", "", "the provider's model name, e.g. gpt-4o-mini, gemini-2.5-flash, qwen2.5vl:7b"),
        VLM_API_KEY_FILE("vlm-api-key-file", "", "a file holding the provider's key (or set LOUPE_VLM_API_KEY; never a flag)"),
        VLM_TIMEOUT("vlm-timeout", "", "seconds one provider request may take (default 120)"),
        VLM_CONNECT_TIMEOUT("vlm-connect-timeout", "", "seconds to connect to the provider (default 10)"),
        VLM_CONCURRENCY("vlm-concurrency", "", "provider requests in flight at once (default 4)"),
        VLM_MAX_ATTEMPTS("vlm-max-attempts", "", "attempts per provider request on 429, 5xx and timeouts (default 4)"),
        VLM_IMAGE_MAX_SIDE("vlm-image-max-side", "", "long side images are scaled down to before they are sent (default 1024)"),
        VERTEX_PROJECT("vertex-project", "", "Google Cloud project of Vertex AI's multimodalembedding@001 (for --multimodal-model vertex)"),
        VERTEX_LOCATION("vertex-location", "", "Vertex AI region (default us-central1)"),
        VERTEX_DIMENSION("vertex-dimension", "", "Vertex embedding size: 128, 256, 512 or 1408 (default 1408)"),
        VERTEX_URL("vertex-url", "", "Vertex AI base URL (default https://{location}-aiplatform.googleapis.com)"),
        VERTEX_TOKEN_FILE("vertex-token-file", "", "a file holding an OAuth access token, re-read per request (or set LOUPE_VERTEX_ACCESS_TOKEN)"),
        VERTEX_TIMEOUT("vertex-timeout", "", "seconds one Vertex request may take (default 120)"),
        VERTEX_CONNECT_TIMEOUT("vertex-connect-timeout", "", "seconds to connect to Vertex (default 10)"),
        VERTEX_CONCURRENCY("vertex-concurrency", "", "Vertex requests in flight at once (default 4)"),
        VERTEX_MAX_ATTEMPTS("vertex-max-attempts", "", "attempts per Vertex request on 429, 5xx and timeouts (default 4)"),
        VERTEX_IMAGE_MAX_SIDE("vertex-image-max-side", "", "long side images are scaled down to before they are sent to Vertex (default 1024)"),
        BLOB_STORE("blob-store", "file", "where sources and thumbnails live: file (under --data-dir) or s3 (one bucket every node shares)"),
        S3_ENDPOINT("s3-endpoint", "", "the S3-compatible store's base URL, addressed path-style (default: AWS's endpoint for the region)"),
        S3_REGION("s3-region", "", "the S3 signing region (default " + dev.loupe.blob.S3Settings.DEFAULT_REGION + ")"),
        S3_BUCKET("s3-bucket", "", "the bucket (it must exist): sources under blobs/, thumbnails under thumbnails/"),
        S3_ACCESS_KEY_FILE("s3-access-key-file", "", "a file of two lines, access key id then secret (or set LOUPE_S3_ACCESS_KEY_ID and"
                + " LOUPE_S3_SECRET_ACCESS_KEY; neither: the AWS default chain)"),
        CATALOG_URL("catalog-url", "", "a PostgreSQL catalog shared by several nodes, postgresql://user@host:5432/db (default: SQLite in the data dir)"),
        CATALOG_PASSWORD_FILE("catalog-password-file", "", "a file holding the catalog user's password (or set LOUPE_CATALOG_PASSWORD; never a flag)"),
        CATALOG_POOL_SIZE("catalog-pool-size", "", "connections this node keeps to the PostgreSQL catalog (default 8)"),
        NODE_ID("node-id", "", "this node's id on a shared catalog; keep it across restarts so a node takes back its own work at once (default: hostname and a random suffix)"),
        INDEX("index", "lucene", "where documents live: lucene (embedded, under --data-dir) or solr (a SolrCloud cluster)"),
        SOLR_URL("solr-url", "", "with --index solr: base URLs of Solr nodes, comma-separated (http://host:8983/solr)"),
        SOLR_SHARDS("solr-shards", "2", "with --index solr: shards of each new collection"),
        SOLR_REPLICAS("solr-replicas", "2", "with --index solr: replicas of each shard"),
        QUEUE("queue", "sql", "work queue: sql (the catalog database) or kafka (state in the catalog, dispatch through Kafka)"),
        KAFKA_BOOTSTRAP("kafka-bootstrap", "", "Kafka brokers for --queue kafka, host:port[,host:port...]"),
        KAFKA_TOPIC("kafka-topic", KafkaQueueOptions.DEFAULT_TOPIC, "Kafka topic carrying queued work (created if missing)"),
        KAFKA_PARTITIONS("kafka-partitions", String.valueOf(KafkaQueueOptions.DEFAULT_PARTITIONS), "partitions the Kafka topic is created with"),
        KAFKA_SESSION_TIMEOUT("kafka-session-timeout", String.valueOf(KafkaQueueOptions.DEFAULT_SESSION_TIMEOUT.toSeconds()),
                "seconds a silent node keeps its Kafka partitions (and running items) before the others take them over");

        public final String flag;
        public final String defaultValue;
        public final String help;
        /** A switch: bare {@code --offline} turns it on, {@code --offline=false} off; it never takes the next argument. */
        public final boolean isSwitch;

        Option(String flag, String defaultValue, String help) {
            this(flag, defaultValue, help, false);
        }

        Option(String flag, String defaultValue, String help, boolean isSwitch) {
            this.flag = flag;
            this.defaultValue = defaultValue;
            this.help = help;
            this.isSwitch = isSwitch;
        }

        public String env() {
            return "LOUPE_" + name();
        }
    }

    public static Settings from(String[] args, Map<String, String> env) {
        return from(args, env, java.util.Set.of());
    }

    /**
     * Parses flags and environment; {@code switches} are extra boolean flags a command
     * accepts ({@code --trust-unpinned}), returned through {@link #switchesIn}.
     */
    public static Settings from(String[] args, Map<String, String> env, java.util.Set<String> switches) {
        Map<Option, String> values = new HashMap<>();
        for (Option o : Option.values()) {
            values.put(o, env.getOrDefault(o.env(), o.defaultValue));
        }
        Option previous = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (switches.contains(arg)) continue;
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg + (previous != null && previous.isSwitch
                        ? " (--" + previous.flag + " is a switch: write it alone, or --" + previous.flag + "=true|false)" : ""));
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Option option = find(name);
            if (value == null && option.isSwitch) {
                // Settings take no positional arguments, so a following true/false can only be this switch's value.
                boolean valueFollows = i + 1 < args.length && BOOLEAN_WORDS.contains(args[i + 1].toLowerCase(java.util.Locale.ROOT));
                value = valueFollows ? args[++i] : "true";
            } else if (value == null) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("flag --" + name + " needs a value");
                value = args[++i];
            }
            values.put(option, value);
            previous = option;
        }
        return new Settings(
                parseInt(values, Option.PORT),
                Path.of(values.get(Option.DATA_DIR)).toAbsolutePath().normalize(),
                Path.of(values.get(Option.MODELS_DIR)).toAbsolutePath().normalize(),
                values.get(Option.IMAGE_MODEL),
                parseBoolean(values, Option.ALLOW_PRIVATE_URLS),
                parseLong(values, Option.MAX_BLOB_BYTES),
                parseLong(values, Option.MAX_PIXELS),
                parseInt(values, Option.WORKERS),
                parseInt(values, Option.BATCH_SIZE),
                nonBlank(values.get(Option.ADMIN_KEY)),
                nonBlank(values.get(Option.PUBLIC_URL)).map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u),
                parseBoolean(values, Option.OFFLINE),
                values.get(Option.MODEL_ENDPOINT),
                VectorQuantization.parse(values.get(Option.VECTOR_QUANTIZATION)),
                values.get(Option.HOST).strip(),
                parseInt(values, Option.MAX_ATTEMPTS),
                Duration.ofSeconds(parseLong(values, Option.FETCH_TIMEOUT)),
                parseLong(values, Option.FETCH_MIN_RATE),
                values.get(Option.MULTIMODAL_MODEL).strip(),
                ProviderSettings.from(flag -> given(values, flag), env::get),
                VertexSettings.from(flag -> given(values, flag), env::get),
                dev.loupe.blob.S3Settings.from(values.get(Option.BLOB_STORE), flag -> given(values, flag), env::get),
                CatalogSettings.from(flag -> given(values, flag), env::get),
                IndexSettings.from(flag -> given(values, flag)),
                kafka(values));
    }

    private static Optional<KafkaQueueOptions> kafka(Map<Option, String> values) {
        return switch (values.get(Option.QUEUE).strip().toLowerCase(java.util.Locale.ROOT)) {
            case "sql" -> Optional.empty();
            case "kafka" -> Optional.of(new KafkaQueueOptions(values.get(Option.KAFKA_BOOTSTRAP).strip(), values.get(Option.KAFKA_TOPIC).strip(),
                    parseInt(values, Option.KAFKA_PARTITIONS), KafkaQueueOptions.DEFAULT_GROUP,
                    Duration.ofSeconds(parseLong(values, Option.KAFKA_SESSION_TIMEOUT))));
            default -> throw new IllegalArgumentException("--queue (LOUPE_QUEUE) must be sql or kafka, got: " + values.get(Option.QUEUE));
        };
    }

    /** A provider flag's value as flags or environment gave it; null when unset (its default lives in {@link ProviderSettings}). */
    private static String given(Map<Option, String> values, String flag) {
        for (Option o : Option.values()) {
            if (o.flag.equals(flag)) return values.get(o).isBlank() ? null : values.get(o);
        }
        return null;
    }

    private static Option find(String flag) {
        if (flag.equals("vertex-token")) {
            throw new IllegalArgumentException("the Vertex token is never a flag (flags show in process lists): set "
                    + VertexSettings.TOKEN_ENV + " or --vertex-token-file");
        }
        if (flag.equals("catalog-password")) {
            throw new IllegalArgumentException("the catalog's password is never a flag (flags show in process lists): set "
                    + CatalogSettings.PASSWORD_ENV + " or --catalog-password-file");
        }
        if (flag.equals("vlm-api-key")) {
            throw new IllegalArgumentException("the provider's key is never a flag (flags show in process lists): set "
                    + ProviderSettings.API_KEY_ENV + " or --vlm-api-key-file");
        }
        if (flag.equals("s3-secret-access-key") || flag.equals("s3-access-key-id")) {
            throw new IllegalArgumentException("S3 keys are never flags (flags show in process lists): set " + dev.loupe.blob.S3Settings.ACCESS_KEY_ID_ENV
                    + " and " + dev.loupe.blob.S3Settings.SECRET_ACCESS_KEY_ENV + ", or --s3-access-key-file");
        }
        for (Option o : Option.values()) {
            if (o.flag.equals(flag)) return o;
        }
        throw new IllegalArgumentException("unknown flag --" + flag + "; run 'loupe help' for the list");
    }

    private static final java.util.Set<String> BOOLEAN_WORDS = java.util.Set.of("true", "false");

    /** true/false, also 1/0 and yes/no as environment files write them; anything else is an error, not false. */
    private static boolean parseBoolean(Map<Option, String> values, Option o) {
        return switch (values.get(o).trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off", "" -> false;
            default -> throw new IllegalArgumentException("--" + o.flag + " (" + o.env() + ") must be true or false, got: " + values.get(o)
                    + " (the flag alone means true: --" + o.flag + ")");
        };
    }

    private static int parseInt(Map<Option, String> values, Option o) {
        long value = parseLong(values, o);
        if (value != (int) value) throw new IllegalArgumentException("--" + o.flag + " (" + o.env() + ") is out of range, got: " + values.get(o));
        return (int) value;
    }

    private static long parseLong(Map<Option, String> values, Option o) {
        try {
            return Long.parseLong(values.get(o).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + o.flag + " (" + o.env() + ") must be a whole number, got: " + values.get(o));
        }
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }

    public static String usage() {
        StringBuilder sb = new StringBuilder("Options (flag, environment variable, default):\n");
        for (Option o : Option.values()) {
            sb.append(String.format("  --%-20s %-26s %-14s %s%n", o.flag, o.env(),
                    o.defaultValue.isEmpty() ? "(none)" : o.defaultValue,
                    o.isSwitch ? o.help + " (a switch: --" + o.flag + " alone means true)" : o.help));
        }
        return sb.toString();
    }
}
