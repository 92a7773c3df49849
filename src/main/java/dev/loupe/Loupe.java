package dev.loupe;

import dev.loupe.auth.ApiKeys;
import dev.loupe.blob.BlobStore;
import dev.loupe.blob.BlobStores;
import dev.loupe.blob.UrlFetcher;
import dev.loupe.catalog.Catalog;
import dev.loupe.catalog.Collection;
import dev.loupe.catalog.Database;
import dev.loupe.catalog.Kind;
import dev.loupe.cluster.Clusters;
import dev.loupe.config.Settings;
import dev.loupe.extractor.ExtractorCatalog;
import dev.loupe.filter.FilterNode;
import dev.loupe.http.ApiServer;
import dev.loupe.publish.Publications;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.lucene.IndexThreads;
import dev.loupe.index.lucene.LuceneDocumentIndex;
import dev.loupe.index.solr.SolrDocumentIndex;
import dev.loupe.inference.ModelRepository;
import dev.loupe.ingestion.Ingestion;
import dev.loupe.ingestion.IngestionWorker;
import dev.loupe.ingestion.ObjectDeletions;
import dev.loupe.ingestion.ObservedQueue;
import dev.loupe.media.ImageDecoder;
import dev.loupe.metrics.Metrics;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.queue.WorkQueue;
import dev.loupe.retriever.RetrieverExecutor;
import dev.loupe.upload.UploadSigner;
import dev.loupe.upload.Uploads;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The service, wired explicitly in one place. Layout of the data directory:
 * <pre>
 * loupe.lock      held while a Loupe runs on this directory
 * catalog.db      SQLite: catalog, API keys, work queue (WAL, synchronous=FULL)
 * index/          Lucene: one index per collection (with --index solr, the collections live in SolrCloud instead)
 * blobs/          fetched and uploaded source bytes, by SHA-256 (with --blob-store s3: blobs/ in the bucket)
 * thumbnails/     640 px JPEG thumbnails, by SHA-256 (with --blob-store s3: thumbnails/ in the bucket)
 * blob-spool/     with --blob-store s3, uploads being hashed before they are sent
 * upload-signing.key  the secret presigned upload URLs are signed with (0600; on PostgreSQL the catalog's instead)
 * </pre>
 * With a shared catalog ({@code --catalog-url}) and {@code --blob-store s3}, what a node writes and
 * another needs is in PostgreSQL and the bucket; {@code index/} alone is still per node (see the
 * README's "Several nodes").
 */
public final class Loupe implements AutoCloseable {
    private final DataDirLock dataLock;
    private final Database database;
    private final IndexThreads indexThreads;
    private final DocumentIndex index;
    private final ObservedQueue observedQueue;
    /** What dispatches work besides the catalog (a Kafka client), closed after the workers stop. */
    private final AutoCloseable dispatch;
    /** This node's entry among the catalog's running nodes, with its --queue. */
    private final dev.loupe.queue.QueueNodes queueNodes;
    private final ModelRepository models;
    private final ExtractorCatalog extractors;
    private final BlobStores blobStores;
    private final List<IngestionWorker> workers = new ArrayList<>();
    private final List<Thread> workerThreads = new ArrayList<>();
    private final ApiServer server;
    private final Clusters clusters;
    private final int port;
    private final Optional<String> generatedAdminKey;

    private Loupe(Settings settings) {
        Path data = settings.dataDir();
        dataLock = DataDirLock.acquire(data);
        // What is open so far, closed in reverse if the start fails, so that a failed start
        // (a port in use, say) leaves the data directory unlocked for the next try.
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            database = settings.catalog().postgres().map(Database::postgres).orElseGet(() -> new Database(data.resolve("catalog.db")));
            opened.push(database::close);
            Catalog catalog = new Catalog(database);
            Metrics metrics = new Metrics();
            SqlWorkQueue sql = new SqlWorkQueue(database, settings.maxAttempts(),
                    settings.catalog().nodeId().orElseGet(SqlWorkQueue::defaultNodeId), SqlWorkQueue.DEFAULT_LEASE, java.time.Clock.systemUTC());
            // Before either branch changes the outbox: a node whose --queue differs from the running nodes' is refused.
            queueNodes = dev.loupe.queue.QueueNodes.join(database, sql.nodeId(), settings.kafka().isPresent()
                    ? dev.loupe.queue.QueueNodes.Dispatch.KAFKA : dev.loupe.queue.QueueNodes.Dispatch.SQL, sql.lease(), sql.clock());
            opened.push(queueNodes::close);
            WorkQueue stored = sql;
            if (settings.kafka().isPresent()) {
                // State stays in the catalog; Kafka carries dispatch, so several nodes can share the work.
                var kafka = new dev.loupe.queue.kafka.KafkaWorkQueue(sql, database, settings.kafka().get());
                opened.push(kafka::close);
                dispatch = kafka;
                stored = kafka;
            } else {
                dev.loupe.queue.kafka.KafkaWorkQueue.stopDispatch(database);
                dispatch = () -> { };
            }
            observedQueue = new ObservedQueue(stored, catalog, metrics);
            opened.push(observedQueue::close);
            WorkQueue queue = observedQueue;
            // Closed after the index, which searches and merges on them.
            indexThreads = IndexThreads.perCore();
            opened.push(indexThreads::close);
            index = switch (settings.index().engine()) {
                case LUCENE -> new LuceneDocumentIndex(data.resolve("index"),
                        LuceneDocumentIndex.Options.DEFAULT.withQuantization(settings.vectorQuantization()), indexThreads);
                case SOLR -> new SolrDocumentIndex(SolrDocumentIndex.Options.of(settings.index().solrUrls())
                        .withLayout(settings.index().shards(), settings.index().replicas()));
            };
            opened.push(index::close);
            metrics.watchIndex(() -> indexSizes(catalog, index));
            blobStores = BlobStores.open(settings.s3(), data);
            opened.push(blobStores::close);
            BlobStore sources = blobStores.sources();
            BlobStore thumbnails = blobStores.thumbnails();
            UrlFetcher.Options fetchBounds = UrlFetcher.Options.defaults(settings.allowPrivateUrls(), settings.maxBlobBytes());
            UrlFetcher fetcher = new UrlFetcher(fetchBounds.withTotalTimeout(settings.fetchTimeout())
                    .withMinimumRate(settings.fetchMinRate(), fetchBounds.rateWindow()));
            ImageDecoder decoder = new ImageDecoder(settings.maxPixels());
            models = new ModelRepository(settings.modelsDir(), new dev.loupe.inference.ModelDownloader(settings.modelEndpoint()),
                    settings.offline());
            opened.push(models::close);
            extractors = new ExtractorCatalog(models, settings.defaultImageModel(), ExtractorCatalog.FaceModelNames.DEFAULT,
                    settings.multimodalModel(), dev.loupe.provider.VisionModels.configured(settings.vision()),
                    settings.vertex().map(dev.loupe.provider.VertexEmbeddings::new));
            opened.push(extractors::close);
            ObjectDeletions deletions = new ObjectDeletions(catalog, queue, index);
            Ingestion ingestion = new Ingestion(catalog, queue, index, deletions);
            RetrieverExecutor executor = new RetrieverExecutor(index, extractors, fetcher, decoder, settings.maxBlobBytes(), metrics);
            ApiKeys keys = new ApiKeys(database);
            clusters = new Clusters(catalog, index, extractors, new Clusters.Node(sql.nodeId(), sql.lease(), sql.clock()));
            opened.push(clusters::close);

            // Work a killed process left RUNNING is redone (deterministic document ids make that
            // safe) and deletions it left half done are finished.
            ingestion.recover();
            Uploads uploads = new Uploads(catalog, sources, UploadSigner.forNode(database, data), settings.maxBlobBytes(),
                    java.time.Clock.systemUTC());
            uploads.recover();
            server = new ApiServer(settings, new ApiServer.Services(catalog, keys, queue, index, ingestion, extractors,
                    executor, sources, thumbnails, clusters, new Publications(database), uploads, metrics));
            opened.push(server::close);
            port = listen(server, settings.port());
            // Only once the port is ours: a first admin key made before a failed start would be
            // stored but never shown, and the next start would see an admin and make none.
            generatedAdminKey = keys.bootstrapAdmin(settings.adminKey());

            var deps = new IngestionWorker.Dependencies(catalog, queue, index, sources, thumbnails, fetcher, decoder,
                    extractors, deletions, clusters.assignment(), settings.maxBlobBytes(), metrics);
            for (int i = 0; i < settings.workers(); i++) {
                IngestionWorker w = new IngestionWorker(deps, settings.batchSize());
                workers.add(w);
                ingestion.watch(w);
                // Inference runs native code on this thread; give it room beyond the default 1 MB stack.
                workerThreads.add(Thread.ofPlatform().name("ingestion-" + i).stackSize(16L << 20).daemon().start(w));
            }
        } catch (RuntimeException e) {
            while (!opened.isEmpty()) {
                try {
                    opened.pop().close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            dataLock.close();
            throw e;
        }
    }

    /** Every collection's document count, read at each metrics scrape. */
    private static List<Metrics.IndexSize> indexSizes(Catalog catalog, DocumentIndex index) {
        List<Metrics.IndexSize> out = new ArrayList<>();
        catalog.scan(Kind.COLLECTION, null, null, 500, chunk -> {
            for (Collection c : chunk) {
                try {
                    out.add(new Metrics.IndexSize(c.namespaceId(), c.collectionName(), index.count(c.collectionId(), FilterNode.ALL)));
                } catch (RuntimeException e) {
                    // dropped while the scrape ran: it has no size to report
                }
            }
        });
        return out;
    }

    private static int listen(ApiServer server, int port) {
        try {
            return server.start();
        } catch (io.javalin.util.JavalinBindException e) {
            throw new IllegalStateException("cannot listen on port " + port + ": it is in use (another Loupe or service?);"
                    + " stop that or choose another port with --port or LOUPE_PORT", e);
        }
    }

    public static Loupe start(Settings settings) {
        return new Loupe(settings);
    }

    /**
     * Loads the image model in the background, downloading it first on a first start, so
     * that the first collection does not wait for it and a missing model is reported at once.
     */
    void warmUpImageModel(String name) {
        Thread.ofPlatform().name("model-warm-up").daemon().start(() -> {
            try {
                extractors.image();
                System.out.println("Image model " + name + " is ready.");
            } catch (RuntimeException e) {
                System.err.println("loupe: " + e.getMessage());
            }
        });
    }

    /** The routes the HTTP server serves (see {@link ApiServer#endpoints()}). */
    public java.util.List<ApiServer.Endpoint> endpoints() {
        return server.endpoints();
    }

    public int port() {
        return port;
    }

    /** The admin key created on the first start, to be shown once; empty afterwards. */
    public Optional<String> generatedAdminKey() {
        return generatedAdminKey;
    }

    @Override
    public void close() {
        server.close();
        workers.forEach(IngestionWorker::stop);
        for (Thread t : workerThreads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        clusters.close();
        observedQueue.close();
        try {
            dispatch.close();
        } catch (Exception e) {
            java.util.logging.Logger.getLogger(Loupe.class.getName()).log(java.util.logging.Level.WARNING, "closing the work dispatch failed", e);
        }
        queueNodes.close();
        index.close();
        indexThreads.close();
        extractors.close();
        models.close();
        blobStores.close();
        database.close();
        dataLock.close();
    }

    public static void main(String[] args) {
        Logs.install(System.err);
        String command = args.length == 0 ? "serve" : args[0];
        String[] rest = args.length == 0 ? args : java.util.Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "serve" -> serve(rest);
            case "models" -> System.exit(ModelsCommand.run(rest, System.out, System.err));
            case "admin-key" -> System.exit(AdminKeyCommand.run(rest, System.getenv(), System.out, System.err));
            case "ingest", "search", "status", "keys" -> System.exit(dev.loupe.cli.Cli.run(java.util.Arrays.asList(args), System.getenv(), System.out, System.err));
            case "help", "--help", "-h" -> System.out.println(help());
            default -> {
                System.err.println("unknown command '" + command + "'\n\n" + help());
                System.exit(2);
            }
        }
    }

    private static void serve(String[] args) {
        Settings settings;
        try {
            settings = Settings.from(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("loupe: " + e.getMessage());
            System.exit(2);
            return;
        }
        Loupe loupe;
        try {
            loupe = Loupe.start(settings);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            // A port in use, a data directory another Loupe holds or cannot be written: the reason and what to do, in one line.
            System.err.println("loupe: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(loupe::close));
        System.out.println(startup(settings, loupe.port()));
        loupe.generatedAdminKey().ifPresent(k -> System.out.println(
                "Admin API key (shown once, store it now): " + k + "\n  use it as: Authorization: Bearer " + k
                        + "\n  lost it? stop Loupe and run ./loupe admin-key reset"));
        loupe.warmUpImageModel(settings.defaultImageModel());
    }

    /** What a user needs to know of the running service, in one block: address, directories, models. */
    static String startup(Settings s, int port) {
        String where = s.host().equals(Settings.EVERY_INTERFACE) ? "every interface" : s.host();
        String faces = ExtractorCatalog.FaceModelNames.DEFAULT.detectors().entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByValue())
                .map(e -> e.getValue() + " (" + e.getKey().name().toLowerCase(java.util.Locale.ROOT) + ")").collect(java.util.stream.Collectors.joining(", "));
        String multimodal = s.multimodalModel().equals(ExtractorCatalog.VERTEX)
                ? s.vertex().map(v -> "Vertex AI multimodalembedding@001 (" + v.project() + ", " + v.location() + ", " + v.dimension() + "-d)").orElse("Vertex AI")
                : s.multimodalModel();
        return String.join("\n",
                "Loupe listening on http://localhost:" + port + " (" + where + ")",
                "  data directory     " + s.dataDir().toAbsolutePath().normalize(),
                "  models directory   " + s.modelsDir().toAbsolutePath().normalize() + (s.offline() ? " (offline: nothing is downloaded)" : " (missing models from " + s.modelEndpoint() + ")"),
                "  image model        " + s.defaultImageModel() + " (image_extractor; loading in the background)",
                "  multimodal         embeddings " + multimodal + "; OCR PP-OCRv4 (bundled)",
                "  descriptions       " + s.vision().map(v -> v.describe()).orElse("off (no --vlm-provider)"),
                "  faces              detectors " + faces + ", recogniser " + ExtractorCatalog.FaceModelNames.DEFAULT.recognizer() + " (loaded on first use)",
                "  image decoding     " + (dev.loupe.media.TurboJpeg.load().isPresent() ? "libturbojpeg" : "ImageIO (apt-get install libturbojpeg0 for faster JPEGs)")
                        + (dev.loupe.media.Vips.load().isPresent() ? ", HEIC/AVIF through libvips" : "; no HEIC/AVIF (apt-get install libvips42)"),
                "  ingestion          " + s.workers() + " worker(s), batches of " + s.batchSize(),
                "  metrics            GET /metrics (Prometheus; admin key as Bearer token)");
    }

    static String help() {
        return """
                Usage: loupe serve [options]                          run the service
                       loupe models list [options]                    models known and installed
                       loupe models pull NAME [--trust-unpinned] [options]
                                                                      download and verify a model
                       loupe models quantize SRC DST [options]        make an int8 variant of a model
                       loupe admin-key reset [--data-dir DIR]         revoke the admin keys, print a new one (Loupe stopped)
                       loupe ingest|search|status|keys ...            talk to a running Loupe (`loupe search --help`, ...)
                       loupe help                                     this text

                """ + Settings.usage();
    }
}
