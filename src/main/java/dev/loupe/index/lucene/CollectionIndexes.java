package dev.loupe.index.lucene;

import dev.loupe.index.DroppedCollectionException;
import dev.loupe.index.VectorQuantization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.FSDirectory;

/**
 * Each collection's index, opened on first use: one directory per collection under
 * {@code <root>/<collection_id>/}, one {@link IndexWriter} each, searched through a
 * {@link SearcherManager} refreshed after every commit. A dropped collection leaves a marker
 * {@code <root>/dropped/<collection_id>}: it reads as empty and refuses writes, so work that was
 * in flight when its collection was deleted cannot bring an index back that no API reaches
 * (collection ids are never reused).
 */
final class CollectionIndexes implements AutoCloseable {
    private static final Pattern COLLECTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    /** Where the markers of dropped collections are kept. */
    private static final String DROPPED = "dropped";
    private static final double RAM_BUFFER_MB = 128;

    private final Path root;
    private final VectorQuantization quantization;
    private final IndexThreads threads;
    private final ConcurrentMap<String, CollectionIndex> open = new ConcurrentHashMap<>();

    /** One collection's writer and searcher; writes to it hold its lock (see {@link DocumentWriter}). */
    record CollectionIndex(FSDirectory directory, IndexWriter writer, SearcherManager searchers, AtomicLong lastWrite)
            implements AutoCloseable {
        /** Commits what was written, makes it visible to the next search, and notes the write for compaction. */
        void commit() throws IOException {
            writer.commit();
            lastWrite.set(System.nanoTime());
            searchers.maybeRefreshBlocking();
        }

        @Override
        public void close() throws IOException {
            searchers.close();
            writer.close();
            directory.close();
        }
    }

    @FunctionalInterface
    interface SearchWork<T> {
        T run(IndexSearcher searcher) throws IOException;
    }

    CollectionIndexes(Path root, VectorQuantization quantization, IndexThreads threads) {
        this.root = root;
        this.quantization = quantization;
        this.threads = threads;
        try {
            Files.createDirectories(root);
            Files.writeString(root.resolve("SCHEMA_VERSION"), String.valueOf(FieldSchema.VERSION));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create index directory " + root, e);
        }
    }

    private static void checkId(String collectionId) {
        if (!COLLECTION_ID.matcher(collectionId).matches()) throw new IllegalArgumentException("bad collection id: " + collectionId);
    }

    private boolean dropped(String collectionId) {
        return Files.exists(root.resolve(DROPPED).resolve(collectionId));
    }

    /** Whether the collection has an index, open or on disk: opening one creates it. */
    boolean exists(String collectionId) {
        checkId(collectionId);
        return open.containsKey(collectionId) || Files.isDirectory(root.resolve(collectionId));
    }

    /** The collection's index, opened (and created, and upgraded) on first use. */
    CollectionIndex open(String collectionId) {
        checkId(collectionId);
        if (dropped(collectionId)) throw new DroppedCollectionException(collectionId);
        return open.computeIfAbsent(collectionId, id -> {
            try {
                FSDirectory dir = FSDirectory.open(root.resolve(id));
                IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(FieldSchema.ANALYZER)
                        .setCodec(VectorCodec.of(quantization, threads.graphMerge(), threads.mergeWorkers()))
                        // Fewer, larger flushed segments: each one costs a graph build and a merge.
                        .setRAMBufferSizeMB(RAM_BUFFER_MB)
                        .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
                try {
                    SchemaUpgrade.apply(writer, id);
                } catch (IOException | RuntimeException e) {
                    writer.close();
                    dir.close();
                    throw e;
                }
                return new CollectionIndex(dir, writer, new SearcherManager(writer, new SearcherFactory() {
                    @Override
                    public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) {
                        return new IndexSearcher(reader, threads.segmentSearch());
                    }
                }), new AtomicLong(System.nanoTime()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open index of collection " + id, e);
            }
        });
    }

    /** The indexes open now, by collection id. */
    Map<String, CollectionIndex> opened() {
        return Map.copyOf(open);
    }

    /** Runs {@code work} on a current searcher of the collection; a dropped collection reads as empty. */
    <T> T search(String collectionId, SearchWork<T> work) {
        if (COLLECTION_ID.matcher(collectionId).matches() && dropped(collectionId)) {
            try {
                return work.run(new IndexSearcher(new MultiReader()));
            } catch (IOException e) {
                throw new UncheckedIOException("searching collection " + collectionId + " failed", e);
            }
        }
        SearcherManager manager = open(collectionId).searchers();
        try {
            IndexSearcher searcher = manager.acquire();
            try {
                return work.run(searcher);
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("searching collection " + collectionId + " failed", e);
        }
    }

    /** Marks the collection dropped, then closes and deletes its index. */
    void drop(String collectionId) {
        checkId(collectionId);
        try {
            // The marker first: from then on no write can open the collection again.
            Files.createDirectories(root.resolve(DROPPED));
            Path marker = root.resolve(DROPPED).resolve(collectionId);
            if (!Files.exists(marker)) Files.createFile(marker);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark collection " + collectionId + " dropped", e);
        }
        CollectionIndex index = open.remove(collectionId);
        try {
            if (index != null) index.close();
            Path dir = root.resolve(collectionId);
            if (Files.exists(dir)) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot drop index of collection " + collectionId, e);
        }
    }

    @Override
    public void close() {
        for (CollectionIndex index : open.values()) {
            try {
                index.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing index failed", e);
            }
        }
        open.clear();
    }
}
