package dev.loupe.index.solr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.api.Json;
import dev.loupe.api.LoupeException;
import dev.loupe.document.FieldPath;
import dev.loupe.filter.FilterNode;
import dev.loupe.filter.FilterValues;
import dev.loupe.filter.Words;
import dev.loupe.index.DocumentIndex;
import dev.loupe.index.DocumentPage;
import dev.loupe.index.DroppedCollectionException;
import dev.loupe.index.GroupPage;
import dev.loupe.index.GroupValue;
import dev.loupe.index.GroupRequest;
import dev.loupe.index.IndexedDocument;
import dev.loupe.index.ProducedDocuments;
import dev.loupe.index.NearestHits;
import dev.loupe.index.ScoredDocument;
import dev.loupe.index.SearchTrace;
import dev.loupe.index.SortKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.solr.client.solrj.SolrClient;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.HttpJdkSolrClient;
import org.apache.solr.client.solrj.request.AbstractUpdateRequest;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.apache.solr.client.solrj.request.QueryRequest;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.client.solrj.request.schema.FieldTypeDefinition;
import org.apache.solr.client.solrj.request.schema.SchemaRequest;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrDocumentList;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.util.NamedList;

/**
 * {@link DocumentIndex} on SolrCloud 9, over HTTP with SolrJ's {@link HttpJdkSolrClient} (the JDK's
 * HttpClient, so none of Solr's Jetty meets Javalin's). One Solr collection {@code loupe_<collection id>}
 * per Loupe collection, created on its first write from the configset {@value #CONFIGSET} (uploaded
 * when missing), with {@link Options#shards()} shards of {@link Options#replicas()} replicas. Requests
 * go to any of the given nodes, which route them inside the cluster.
 *
 * <h2>Node loss</h2>
 * A request that fails in a way another attempt may cure ({@link SolrRetry}: a node that cannot be
 * reached, a live node whose forward to a dead leader or follower failed, a shard between leaders) is
 * sent again to the next node after a pause that doubles from 50 ms to 2 s, until
 * {@link Options#retryFor()} has passed; then the caller gets {@link LoupeException.Unavailable} (a 503
 * through the API) naming the nodes and the last failure. Repeating is safe because every write is
 * idempotent: by id, or a delete by query, each with its own commit. (A field update whose answer was
 * lost may find its own write and apply {@code change} once more, to the changed document.) When a
 * node dies with SIGKILL, writes to the shards it led fail until ZooKeeper expires its session
 * (Solr's {@code zkClientTimeout}, 30 s by default) and a follower takes over; the retries wait that
 * out, so with two or more replicas a write does not fail for a single node's loss.
 *
 * <p>Writes send no {@code min_rf}, and a write the leader acknowledges while a follower is down is
 * accepted: the leader has it durably, and Solr's shard terms keep the follower that missed it from
 * leading until it has recovered it, so it cannot be lost by a later loss of the leader (the shard
 * then waits for the leader's node instead). Retrying it would not raise the replication, only fail
 * every write for as long as the follower is down, which replicas are there to survive.
 *
 * <p>Searches send no {@code shards.tolerant}: a shard with no live replica fails the search (and is
 * retried like a write) rather than leaving that shard's documents silently out of its results.
 *
 * <h2>Schema (version {@value #SCHEMA_VERSION}, {@code src/main/resources/solr/loupe})</h2>
 * The same flattening as the embedded index's: {@code id}; {@code _producer}; {@code _source} (the JSON
 * fields, stored); {@code s.<path>} strings and booleans (keyword, doc values), {@code n.<path>} numbers
 * (double points, doc values), {@code t.<path>} strings analysed as {@link Words} are; {@code _has} and
 * {@code _null} per path; {@code _tf} the text paths a document has (for a lexical search over every
 * text field); {@code v.<name>} each vector, a {@code DenseVectorField} of type {@code knn_<dimension>}
 * (cosine, HNSW), both added with the Schema API when first seen.
 *
 * <h2>Durability and visibility</h2>
 * Every write ends with a hard commit that opens a searcher ({@code commit=true, waitSearcher=true}),
 * sent to the collection, so it has been fsynced on every replica of every shard when the call returns
 * (there is no soft commit, and the configset's autoCommit opens no searcher). {@link #replace} sends the
 * delete-by-query of the producers' old documents, then their new documents with the commit, under this
 * index's lock of the collection; no searcher opens between the two, so within one shard a search sees
 * the old set or the new one. Across shards, the commits are not one atomic step: for the moment a
 * commit takes, a search may see one shard's new set beside another's old one. Writes through another
 * Loupe process do not take this lock.
 *
 * <h2>Field updates</h2>
 * {@link #updateFields} reads, changes and writes under the collection's lock, and writes with the
 * {@code _version_} it read (optimistic concurrency), so a write from elsewhere in between makes it
 * read again instead of being lost.
 *
 * <h2>Scores</h2>
 * Solr returns {@code (1 + cos) / 2} for a cosine kNN hit; {@link #nearest} reports the cosine. BM25
 * statistics are per shard, so lexical scores differ slightly from the embedded index's.
 */
public final class SolrDocumentIndex implements DocumentIndex {
    public static final int SCHEMA_VERSION = 1;
    static final String CONFIGSET = "loupe-" + SCHEMA_VERSION;
    static final String PREFIX = "loupe_";
    /**
     * One document per dropped Loupe collection: a drop is remembered by the cluster, so that no
     * Loupe process brings a dropped collection back with a late write. Outside {@link #PREFIX}'s names.
     */
    static final String DROPPED = "loupemeta_dropped";

    static final String ID = "id";
    static final String VERSION = "_version_";
    static final String PRODUCER = "_producer";
    static final String SOURCE = "_source";
    static final String HAS = "_has";
    static final String NULL = "_null";
    static final String TEXT_FIELDS = "_tf";
    static final String STRING = "s.";
    static final String NUMBER = "n.";
    static final String TEXT = "t.";
    static final String VECTOR = "v.";

    private static final Logger LOG = Logger.getLogger(SolrDocumentIndex.class.getName());
    private static final Pattern COLLECTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    /** The most documents one page returns: Solr sizes its result queue by the rows asked for. */
    private static final int MAX_ROWS = 10_000;

    /**
     * Where the cluster is and how collections are laid out.
     *
     * @param nodeUrls base URLs of Solr nodes ({@code http://host:8983/solr}); any of them serves any collection
     * @param shards   shards of each new collection
     * @param replicas replicas of each shard (NRT)
     * @param retryFor how long a request is retried on other nodes while nodes are down or shards leaderless
     * @param attempt  how long one search or write waits for its node's answer before it is tried on
     *                 the next: a node that forwards to a dead or unreachable one may otherwise hold
     *                 the caller far past {@code retryFor} (collection and schema changes, which wait
     *                 for every replica, get {@link #ADMIN_ATTEMPT})
     */
    public record Options(List<String> nodeUrls, int shards, int replicas, Duration retryFor, Duration attempt) {
        /** Longer than a loaded node's hard commit of a batch takes here, far shorter than a stuck forward holds. */
        public static final Duration ATTEMPT = Duration.ofSeconds(30);
        /** A collection's creation and a schema change wait up to 60 s for every replica. */
        static final Duration ADMIN_ATTEMPT = Duration.ofSeconds(120);

        public Options {
            nodeUrls = List.copyOf(nodeUrls);
            if (nodeUrls.isEmpty()) throw new IllegalArgumentException("Solr needs at least one node URL");
            if (shards < 1 || replicas < 1) throw new IllegalArgumentException("shards and replicas must be at least 1");
            if (attempt.isNegative() || attempt.isZero()) throw new IllegalArgumentException("a Solr attempt needs a positive timeout, got " + attempt);
        }

        public Options(List<String> nodeUrls, int shards, int replicas, Duration retryFor) {
            this(nodeUrls, shards, replicas, retryFor, ATTEMPT);
        }

        public static Options of(List<String> nodeUrls) {
            return new Options(nodeUrls, 2, 2, Duration.ofSeconds(60));
        }

        public Options withLayout(int shards, int replicas) {
            return new Options(nodeUrls, shards, replicas, retryFor, attempt);
        }
    }

    private final Options options;
    /** One client per node for searches and writes, each attempt bounded by {@link Options#attempt}. */
    private final List<SolrClient> clients;
    /** The same nodes for collection, configset and schema changes, which may rightly take a minute. */
    private final List<SolrClient> adminClients;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Collections known to exist in the cluster, and the vector fields known in each one's schema. */
    private final Map<String, Set<String>> known = new ConcurrentHashMap<>();
    private final Set<String> dropped = ConcurrentHashMap.newKeySet();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private volatile int preferred;
    private final LongAdder retried = new LongAdder();
    /** Whether this index has uploaded {@link #CONFIGSET} (see {@link #uploadConfigset}). */
    private volatile boolean configsetUploaded;

    public SolrDocumentIndex(Options options) {
        this.options = options;
        this.clients = clients(options.attempt());
        this.adminClients = clients(Options.ADMIN_ATTEMPT);
    }

    private List<SolrClient> clients(Duration attempt) {
        List<SolrClient> out = new ArrayList<>();
        for (String url : options.nodeUrls()) {
            // HTTP/1.1: over cleartext the JDK's client reaches HTTP/2 only by an upgrade, which a
            // request with a body cannot make, so SolrJ probes each node once with a HEAD and
            // then sends bodies over HTTP/2; a node restarted after the probe resets every such
            // stream on its new connections (RST_STREAM, "Stream cancelled"), for good.
            out.add(new HttpJdkSolrClient.Builder(url.replaceAll("/+$", ""))
                    .useHttp1_1(true)
                    .withConnectionTimeout(5, TimeUnit.SECONDS)
                    .withRequestTimeout(attempt.toMillis(), TimeUnit.MILLISECONDS)
                    .build());
        }
        return List.copyOf(out);
    }

    // ---- writes

    @Override
    public void upsert(String collectionId, List<IndexedDocument> documents) {
        if (documents.isEmpty()) return;
        String c = writable(collectionId, documents);
        synchronized (lock(c)) {
            UpdateRequest add = new UpdateRequest();
            for (IndexedDocument d : documents) add.add(toSolr(d, null));
            commit(add);
            send(add, c);
        }
    }

    @Override
    public void replace(String collectionId, List<ProducedDocuments> produced) {
        if (produced.isEmpty()) return;
        List<IndexedDocument> all = produced.stream().flatMap(p -> p.documents().stream()).toList();
        String c = writable(collectionId, all);
        synchronized (lock(c)) {
            // Two requests in order: Solr does not promise to apply one request's delete-by-query before its adds.
            UpdateRequest delete = new UpdateRequest();
            for (ProducedDocuments p : produced) {
                List<String> old = new ArrayList<>();
                old.add(SolrFilter.term(PRODUCER, p.producer()));
                for (IndexedDocument d : p.documents()) old.add(SolrFilter.term(ID, d.documentId()));
                delete.deleteByQuery(String.join(" OR ", old));
            }
            send(delete, c);
            UpdateRequest add = new UpdateRequest();
            for (ProducedDocuments p : produced) for (IndexedDocument d : p.documents()) add.add(toSolr(d, p.producer()));
            commit(add);
            send(add, c);
        }
    }

    @Override
    public Optional<IndexedDocument> updateFields(String collectionId, String documentId, UnaryOperator<ObjectNode> change) {
        String c = collection(collectionId);
        if (dropped.contains(collectionId)) throw new DroppedCollectionException(collectionId);
        // No document to update: a collection never written is not created for it.
        if (!exists(c)) return Optional.empty();
        synchronized (lock(c)) {
            for (int attempt = 0; ; attempt++) {
                SolrDocumentList found = select(collectionId, params(SolrFilter.term(ID, documentId), 0, 1, "*," + VERSION));
                if (found.isEmpty()) return Optional.empty();
                SolrDocument current = found.getFirst();
                IndexedDocument before = load(current, collectionId);
                IndexedDocument updated = new IndexedDocument(documentId, collectionId, change.apply(before.fields().deepCopy()),
                        before.vectors());
                SolrInputDocument doc = toSolr(updated, (String) current.getFirstValue(PRODUCER));
                doc.setField(VERSION, current.getFirstValue(VERSION));
                UpdateRequest add = new UpdateRequest();
                add.add(doc);
                commit(add);
                try {
                    send(add, c);
                    return Optional.of(updated);
                } catch (SolrException e) {
                    // 409: written by someone else since it was read; read it again.
                    if (e.code() != 409 || attempt >= 10) throw e;
                }
            }
        }
    }

    @Override
    public boolean delete(String collectionId, String documentId) {
        if (get(collectionId, documentId).isEmpty()) return false;
        String c = collection(collectionId);
        synchronized (lock(c)) {
            UpdateRequest del = new UpdateRequest();
            del.deleteById(documentId);
            commit(del);
            send(del, c);
        }
        return true;
    }

    @Override
    public long deleteMatching(String collectionId, FilterNode filter) {
        String c = collection(collectionId);
        if (!exists(c)) return 0;
        long matching = count(collectionId, filter);
        if (matching == 0) return 0;
        synchronized (lock(c)) {
            UpdateRequest del = new UpdateRequest();
            del.deleteByQuery(SolrFilter.toFq(filter));
            commit(del);
            send(del, c);
        }
        return matching;
    }

    @Override
    public void drop(String collectionId) {
        String c = collection(collectionId);
        synchronized (lock(DROPPED)) {
            // The marker first: from then on no write brings the collection back.
            if (!exists(DROPPED)) create(DROPPED, 1);
            UpdateRequest marker = new UpdateRequest();
            SolrInputDocument doc = new SolrInputDocument();
            doc.setField(ID, collectionId);
            doc.setField(SOURCE, "{}");
            marker.add(doc);
            commit(marker);
            send(marker, DROPPED);
        }
        dropped.add(collectionId);
        synchronized (lock(c)) {
            if (exists(c)) administer(CollectionAdminRequest.deleteCollection(c));
            known.remove(c);
            var configset = new ConfigSetAdminRequest.Delete();
            configset.setConfigSetName(configsetOf(c));
            try {
                administer(configset);
            } catch (SolrException e) {
                // none to delete: the collection was never written
                if (e.code() != 400 && e.code() != 404) throw e;
            }
        }
    }

    // ---- reads

    @Override
    public Optional<IndexedDocument> get(String collectionId, String documentId) {
        SolrDocumentList found = select(collectionId, params(SolrFilter.term(ID, documentId), 0, 1, null));
        return found.isEmpty() ? Optional.empty() : Optional.of(load(found.getFirst(), collectionId));
    }

    @Override
    public DocumentPage list(String collectionId, FilterNode filter, List<SortKey> sort, int offset, int limit) {
        ModifiableSolrParams p = params(SolrFilter.MATCH_ALL, offset, limit, null);
        p.add("fq", SolrFilter.toFq(filter));
        p.set("sort", sortOf(collectionId, sort));
        SolrDocumentList docs = select(collectionId, p);
        List<IndexedDocument> out = new ArrayList<>();
        for (SolrDocument d : docs) out.add(load(d, collectionId));
        return new DocumentPage(out, docs.getNumFound());
    }

    @Override
    public long count(String collectionId, FilterNode filter) {
        ModifiableSolrParams p = params(SolrFilter.MATCH_ALL, 0, 0, ID);
        p.add("fq", SolrFilter.toFq(filter));
        return select(collectionId, p).getNumFound();
    }

    @Override
    public NearestHits nearestTraced(String collectionId, String vectorField, float[] query, int k, FilterNode filter) {
        // Solr does not say how its kNN query was answered: the trace is what was asked of it.
        SearchTrace trace = new SearchTrace.Requested("solr", !(filter instanceof FilterNode.All));
        if (!exists(collection(collectionId)) || !vectorFieldKnown(collection(collectionId), vectorField)) return new NearestHits(List.of(), trace);
        StringBuilder v = new StringBuilder("[");
        for (int i = 0; i < query.length; i++) v.append(i == 0 ? "" : ",").append(query[i]);
        ModifiableSolrParams p = params("{!knn f=" + localParam(VECTOR + vectorField) + " topK=" + k + "}" + v.append(']'),
                0, k, null);
        // Solr 9 applies every fq inside the kNN search (pre-filtering), so a selective filter still yields k hits.
        if (!(filter instanceof FilterNode.All)) p.add("fq", SolrFilter.toFq(filter));
        List<ScoredDocument> hits = new ArrayList<>();
        for (SolrDocument d : select(collectionId, p)) {
            float score = ((Number) d.getFirstValue("score")).floatValue();
            hits.add(new ScoredDocument(load(d, collectionId), 2 * score - 1));
        }
        return new NearestHits(hits, trace);
    }

    @Override
    public List<ScoredDocument> lexical(String collectionId, List<String> fields, String text, boolean matchAll, int k, FilterNode filter) {
        Set<String> words = new LinkedHashSet<>(Words.of(text));
        if (words.isEmpty() || !exists(collection(collectionId))) return List.of();
        List<String> targets = fields.isEmpty() ? textFields(collectionId) : fields;
        if (targets.isEmpty()) return List.of();
        // BM25 summed over fields, as the embedded index scores: one clause per word, each over every field.
        List<String> clauses = new ArrayList<>();
        for (String word : words) {
            List<String> inAnyField = new ArrayList<>();
            for (String f : targets) inAnyField.add(SolrFilter.field(TEXT + f) + ":" + org.apache.solr.client.solrj.util.ClientUtils.escapeQueryChars(word));
            clauses.add((matchAll ? "+" : "") + "(" + String.join(" ", inAnyField) + ")");
        }
        ModifiableSolrParams p = params("{!lucene q.op=OR}" + String.join(" ", clauses), 0, k, null);
        if (!(filter instanceof FilterNode.All)) p.add("fq", SolrFilter.toFq(filter));
        List<ScoredDocument> hits = new ArrayList<>();
        for (SolrDocument d : select(collectionId, p)) {
            hits.add(new ScoredDocument(load(d, collectionId), ((Number) d.getFirstValue("score")).floatValue()));
        }
        return hits;
    }

    /** The text paths any document of the collection has, from the {@code _tf} terms. */
    private List<String> textFields(String collectionId) {
        ModifiableSolrParams p = params(SolrFilter.MATCH_ALL, 0, 0, ID);
        p.set("json.facet", "{tf:{type:terms,field:" + TEXT_FIELDS + ",limit:-1}}");
        List<String> out = new ArrayList<>();
        for (Bucket b : buckets(query(collectionId, p), "tf")) out.add(b.value().toString());
        return out;
    }

    @Override
    public GroupPage group(String collectionId, GroupRequest r) {
        String f = r.field();
        ModifiableSolrParams p = params(SolrFilter.MATCH_ALL, 0, 0, ID);
        p.add("fq", SolrFilter.toFq(r.filter()));
        int limit = r.maxGroups() + 1;
        String s = SolrFilter.field(STRING + f), n = SolrFilter.field(NUMBER + f);
        p.set("json.facet", "{s:{type:terms,field:\"" + jsonString(STRING + f) + "\",limit:" + limit + "},"
                + "n:{type:terms,field:\"" + jsonString(NUMBER + f) + "\",limit:" + limit + "},"
                + "grouped:{type:query,q:\"" + jsonString(s + ":* OR " + n + ":*") + "\"},"
                + "nulls:{type:query,q:\"" + jsonString(SolrFilter.term(NULL, f)) + "\"}}");
        QueryResponse response = query(collectionId, p);
        Map<GroupValue, Long> counts = new HashMap<>();
        for (Bucket b : buckets(response, "n")) counts.put(new GroupValue.Number(((Number) b.value()).doubleValue()), b.count());
        for (Bucket b : buckets(response, "s")) counts.put(new GroupValue.Text(b.value().toString()), b.count());
        long nulls = facetCount(response, "nulls");
        if (nulls > 0) counts.put(new GroupValue.Null(), nulls);
        if (counts.size() > r.maxGroups()) {
            throw new IllegalArgumentException("'" + f + "' has more than " + r.maxGroups() + " distinct values among the documents; filter them first");
        }
        SortKey first = r.sort().isEmpty() ? null : r.sort().getFirst();
        boolean descending = first != null && first.field().equals(f) && first.descending();
        List<GroupValue> keys = counts.keySet().stream().sorted(GroupValue.order(descending)).toList();
        String sort = sortOf(collectionId, r.sort());
        List<GroupPage.Group> page = new ArrayList<>();
        int from = Math.min(r.offset(), keys.size());
        int to = (int) Math.min(keys.size(), (long) from + r.limit());
        for (GroupValue key : keys.subList(from, to)) {
            ModifiableSolrParams members = params(SolrFilter.MATCH_ALL, 0, r.perGroup(), null);
            members.add("fq", SolrFilter.toFq(r.filter()));
            members.add("fq", members(key, f));
            members.set("sort", sort);
            List<IndexedDocument> docs = new ArrayList<>();
            for (SolrDocument d : select(collectionId, members)) docs.add(load(d, collectionId));
            if (docs.isEmpty()) continue;
            page.add(new GroupPage.Group(key.json(docs.getFirst(), f), counts.get(key), docs));
        }
        return new GroupPage(page, keys.size(), facetCount(response, "grouped") + nulls);
    }

    /** The documents holding {@code value} at {@code field}, as a filter query. */
    private static String members(GroupValue value, String field) {
        return switch (value) {
            case GroupValue.Number n -> SolrFilter.field(NUMBER + field) + ":[\"" + n.value() + "\" TO \"" + n.value() + "\"]";
            case GroupValue.Text t -> SolrFilter.term(STRING + field, t.value());
            case GroupValue.Null n -> SolrFilter.term(NULL, field);
        };
    }

    /**
     * Solr's sort for the keys, then id: a field sorts numerically when some document holds a number
     * there, else by its terms; multi-valued fields by their smallest value ascending and largest
     * descending, missing values last (the field types' sortMissingLast), as the embedded index sorts.
     */
    private String sortOf(String collectionId, List<SortKey> keys) {
        List<String> out = new ArrayList<>();
        for (SortKey k : keys) {
            ModifiableSolrParams p = params(SolrFilter.field(NUMBER + k.field()) + ":*", 0, 0, ID);
            boolean numeric = select(collectionId, p).getNumFound() > 0;
            String field = (numeric ? NUMBER : STRING) + k.field();
            String dir = k.descending() ? "desc" : "asc";
            // A multi-valued doc-values field sorts by its minimum ascending and its maximum descending.
            // Solr's sort syntax has no escapes: the name goes as it is.
            out.add(field + " " + dir);
        }
        out.add(ID + " asc");
        return String.join(",", out);
    }

    // ---- documents

    private static SolrInputDocument toSolr(IndexedDocument d, String producer) {
        SolrInputDocument doc = new SolrInputDocument();
        doc.setField(ID, d.documentId());
        if (producer != null) doc.setField(PRODUCER, producer);
        doc.setField(SOURCE, Json.write(d.fields()));
        for (Map.Entry<String, float[]> v : d.vectors().entrySet()) {
            List<Float> values = new ArrayList<>(v.getValue().length);
            for (float x : v.getValue()) values.add(x);
            doc.setField(VECTOR + v.getKey(), values);
        }
        Set<String> textPaths = new LinkedHashSet<>();
        flatten(doc, "", d.fields(), textPaths);
        for (String t : textPaths) doc.addField(TEXT_FIELDS, t);
        return doc;
    }

    /** As the embedded index flattens: objects followed, arrays at any depth traversed, a presence term per path. */
    private static void flatten(SolrInputDocument doc, String path, JsonNode node, Set<String> textPaths) {
        if (node.isObject()) {
            if (!path.isEmpty()) doc.addField(HAS, path);
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                flatten(doc, path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), textPaths);
            }
            return;
        }
        doc.addField(HAS, path);
        if (node.isArray()) elements(doc, path, node, textPaths);
        else scalar(doc, path, node, textPaths);
    }

    private static void elements(SolrInputDocument doc, String path, JsonNode array, Set<String> textPaths) {
        int n = 0;
        for (JsonNode item : array) {
            if (n++ >= FieldPath.MAX_ARRAY_ELEMENTS) break;
            if (item.isObject()) flatten(doc, path, item, textPaths);
            else if (item.isArray()) elements(doc, path, item, textPaths);
            else scalar(doc, path, item, textPaths);
        }
    }

    private static void scalar(SolrInputDocument doc, String path, JsonNode v, Set<String> textPaths) {
        if (v.isNull()) {
            doc.addField(NULL, path);
        } else if (v.isNumber()) {
            doc.addField(NUMBER + path, v.asDouble());
        } else if (v.isBoolean()) {
            doc.addField(STRING + path, v.asText());
        } else {
            String s = v.asText();
            doc.addField(STRING + path, FilterValues.term(s));
            doc.addField(TEXT + path, s);
            textPaths.add(path);
        }
    }

    private static IndexedDocument load(SolrDocument d, String collectionId) {
        ObjectNode fields = (ObjectNode) Json.read((String) d.getFirstValue(SOURCE));
        Map<String, float[]> vectors = new LinkedHashMap<>();
        for (String name : d.getFieldNames()) {
            if (!name.startsWith(VECTOR)) continue;
            Collection<Object> values = d.getFieldValues(name);
            float[] v = new float[values.size()];
            int i = 0;
            for (Object x : values) v[i++] = ((Number) x).floatValue();
            vectors.put(name.substring(VECTOR.length()), v);
        }
        return new IndexedDocument((String) d.getFirstValue(ID), collectionId, fields, vectors);
    }

    // ---- collections and schema

    private static String collection(String collectionId) {
        if (!COLLECTION_ID.matcher(collectionId).matches()) throw new IllegalArgumentException("bad collection id: " + collectionId);
        return PREFIX + collectionId;
    }

    private Object lock(String solrCollection) {
        return locks.computeIfAbsent(solrCollection, k -> new Object());
    }

    /** The Solr collection to write {@code documents} into, created and given their vector fields when missing. */
    private String writable(String collectionId, List<IndexedDocument> documents) {
        String c = collection(collectionId);
        if (dropped.contains(collectionId)) throw new DroppedCollectionException(collectionId);
        synchronized (lock(c)) {
            if (!exists(c)) {
                if (droppedInCluster(collectionId)) throw new DroppedCollectionException(collectionId);
                create(c, options.shards());
            }
            Map<String, Integer> vectors = new LinkedHashMap<>();
            for (IndexedDocument d : documents) for (var v : d.vectors().entrySet()) vectors.putIfAbsent(v.getKey(), v.getValue().length);
            for (var v : vectors.entrySet()) ensureVectorField(c, v.getKey(), v.getValue());
        }
        return c;
    }

    private boolean exists(String solrCollection) {
        if (known.containsKey(solrCollection)) return true;
        List<String> all = execute(CollectionAdminRequest::listCollections);
        if (!all.contains(solrCollection)) return false;
        known.putIfAbsent(solrCollection, ConcurrentHashMap.newKeySet());
        return true;
    }

    /** Whether the cluster's {@link #DROPPED} collection has a marker for {@code collectionId}. */
    private boolean droppedInCluster(String collectionId) {
        if (!exists(DROPPED)) return false;
        ModifiableSolrParams p = params(SolrFilter.term(ID, collectionId), 0, 0, ID);
        boolean found = execute(client -> new QueryRequest(p, SolrRequest.METHOD.POST).process(client, DROPPED)).getResults().getNumFound() > 0;
        if (found) dropped.add(collectionId);
        return found;
    }

    /**
     * The collection's own configset, a copy of {@value #CONFIGSET}: the Schema API writes a
     * managed schema back to its configset, so collections sharing one would share their vector fields.
     */
    static String configsetOf(String solrCollection) {
        return solrCollection + ".schema" + SCHEMA_VERSION;
    }

    private void create(String solrCollection, int shards) {
        uploadConfigset();
        var copy = new ConfigSetAdminRequest.Create();
        copy.setConfigSetName(configsetOf(solrCollection));
        copy.setBaseConfigSetName(CONFIGSET);
        try {
            administer(copy);
        } catch (SolrException e) {
            if (!String.valueOf(e.getMessage()).contains("already exists")) throw e;
        }
        CollectionAdminRequest.Create create = CollectionAdminRequest.createCollection(solrCollection, configsetOf(solrCollection),
                shards, options.replicas());
        // Replicas of one shard on different nodes, or a node's death takes the whole shard.
        create.setPerReplicaState(false);
        create.setWaitForFinalState(true);
        try {
            administer(create);
        } catch (SolrException e) {
            if (!String.valueOf(e.getMessage()).contains("already exists")) throw e;
        }
        known.putIfAbsent(solrCollection, ConcurrentHashMap.newKeySet());
    }

    private boolean vectorFieldKnown(String solrCollection, String name) {
        Set<String> fields = known.get(solrCollection);
        if (fields != null && fields.contains(name)) return true;
        try {
            execute(client -> new SchemaRequest.Field(VECTOR + name).process(client, solrCollection));
        } catch (SolrException e) {
            if (e.code() == 404) return false;
            throw e;
        }
        if (fields != null) fields.add(name);
        return true;
    }

    /** Adds {@code v.<name>} of type {@code knn_<dimension>} (and the type) to the collection's schema when missing. */
    private void ensureVectorField(String solrCollection, String name, int dimension) {
        if (vectorFieldKnown(solrCollection, name)) return;
        String type = "knn_" + dimension;
        Map<String, Object> typeAttributes = new LinkedHashMap<>();
        typeAttributes.put("name", type);
        typeAttributes.put("class", "solr.DenseVectorField");
        typeAttributes.put("vectorDimension", dimension);
        typeAttributes.put("similarityFunction", "cosine");
        typeAttributes.put("knnAlgorithm", "hnsw");
        FieldTypeDefinition def = new FieldTypeDefinition();
        def.setAttributes(typeAttributes);
        schemaChange(solrCollection, new SchemaRequest.AddFieldType(def, waitForReplicas()));
        Map<String, Object> field = new LinkedHashMap<>();
        field.put("name", VECTOR + name);
        field.put("type", type);
        field.put("indexed", true);
        field.put("stored", true);
        schemaChange(solrCollection, new SchemaRequest.AddField(field, waitForReplicas()));
        known.computeIfAbsent(solrCollection, k -> ConcurrentHashMap.newKeySet()).add(name);
    }

    /** A schema change returns once every replica has it, so the next write finds the field wherever it lands. */
    private static ModifiableSolrParams waitForReplicas() {
        ModifiableSolrParams p = new ModifiableSolrParams();
        p.set("updateTimeoutSecs", 60);
        return p;
    }

    /** Applies a schema change; one that another writer made first is fine. */
    private void schemaChange(String solrCollection, SchemaRequest.Update change) {
        try {
            BufferedBody body = BufferedBody.of(change);
            NamedList<Object> response = execute(adminClients, client -> body.sendThrough(client, solrCollection));
            Object errors = response.get("errors");
            if (errors != null && !errors.toString().contains("already exists")) {
                throw new IllegalStateException("Solr refused a schema change of " + solrCollection + ": " + errors);
            }
        } catch (SolrException e) {
            if (!String.valueOf(e.getMessage()).contains("already exist")) throw e;
        }
    }

    /**
     * Uploads the configset from the class path, once per index, before its first copy. Every index
     * uploads it, over what is there (the same bytes): a configset's name appears in the cluster
     * before its files, so an index that skipped the upload because another node's was under way
     * could copy it half-written, and every collection made from that copy fails to load.
     */
    private void uploadConfigset() {
        if (configsetUploaded) return;
        try {
            ByteArrayOutputStream zip = new ByteArrayOutputStream();
            try (ZipOutputStream out = new ZipOutputStream(zip)) {
                for (String file : List.of("solrconfig.xml", "managed-schema.xml")) {
                    try (InputStream in = SolrDocumentIndex.class.getResourceAsStream("/solr/loupe/" + file)) {
                        if (in == null) throw new IllegalStateException("the Solr configset file " + file + " is missing from the class path");
                        out.putNextEntry(new ZipEntry(file));
                        in.transferTo(out);
                        out.closeEntry();
                    }
                }
            }
            byte[] body = zip.toByteArray();
            execute(adminClients, client -> {
                HttpRequest req = HttpRequest.newBuilder(URI.create(options.nodeUrls().get(preferred).replaceAll("/+$", "")
                                + "/admin/configs?action=UPLOAD&overwrite=true&name=" + CONFIGSET))
                        .timeout(Options.ADMIN_ATTEMPT)
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() != 200 && !res.body().contains("already exists")) {
                    throw new SolrException(SolrException.ErrorCode.getErrorCode(res.statusCode()),
                            "uploading configset " + CONFIGSET + " failed: " + res.body());
                }
                return null;
            });
            configsetUploaded = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- requests

    private static void commit(UpdateRequest r) {
        r.setAction(AbstractUpdateRequest.ACTION.COMMIT, true, true);
    }

    private static ModifiableSolrParams params(String q, int start, int rows, String fl) {
        ModifiableSolrParams p = new ModifiableSolrParams();
        p.set("q", q);
        p.set("start", start);
        p.set("rows", Math.min(rows, MAX_ROWS));
        p.set("fl", fl != null ? fl : ID + "," + PRODUCER + "," + SOURCE + "," + VECTOR + "*,score");
        return p;
    }

    /** Documents for {@code p}; none when the collection does not exist (yet, or any more). */
    private SolrDocumentList select(String collectionId, ModifiableSolrParams p) {
        QueryResponse r = query(collectionId, p);
        return r == null ? new SolrDocumentList() : r.getResults();
    }

    private QueryResponse query(String collectionId, ModifiableSolrParams p) {
        String c = collection(collectionId);
        if (dropped.contains(collectionId) || !exists(c)) return null;
        return execute(client -> new QueryRequest(p, SolrRequest.METHOD.POST).process(client, c));
    }

    private record Bucket(Object value, long count) {
    }

    @SuppressWarnings("unchecked")
    private static List<Bucket> buckets(QueryResponse r, String facet) {
        if (r == null) return List.of();
        NamedList<Object> facets = (NamedList<Object>) r.getResponse().get("facets");
        if (facets == null) return List.of();
        NamedList<Object> f = (NamedList<Object>) facets.get(facet);
        if (f == null) return List.of();
        List<Bucket> out = new ArrayList<>();
        List<NamedList<Object>> buckets = (List<NamedList<Object>>) f.get("buckets");
        if (buckets == null) return List.of();
        for (NamedList<Object> b : buckets) out.add(new Bucket(b.get("val"), ((Number) b.get("count")).longValue()));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static long facetCount(QueryResponse r, String facet) {
        if (r == null) return 0;
        NamedList<Object> facets = (NamedList<Object>) r.getResponse().get("facets");
        if (facets == null || facets.get(facet) == null) return 0;
        return ((Number) ((NamedList<Object>) facets.get(facet)).get("count")).longValue();
    }

    /** A local-parameter value, quoted: a field path may hold characters that would end an unquoted one. */
    private static String localParam(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String jsonString(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private void send(SolrRequest<?> request, String collection) {
        BufferedBody body = BufferedBody.of(request);
        execute(client -> body.sendThrough(client, collection));
    }

    private void administer(SolrRequest<?> request) {
        BufferedBody body = BufferedBody.of(request);
        execute(adminClients, client -> body.sendThrough(client, null));
    }

    private <T> T execute(Call<T> call) {
        return execute(clients, call);
    }

    @FunctionalInterface
    private interface Call<T> {
        T run(SolrClient client) throws SolrServerException, IOException, InterruptedException;
    }

    /**
     * Runs {@code call} on the preferred node; after a failure that {@link SolrRetry#retriable} accepts,
     * moves to the next node and, after a pause that grows with each failure, tries again, until
     * {@link Options#retryFor()} has passed. Then the caller gets {@link LoupeException.Unavailable}
     * with the last failure as its cause; a failure that no attempt can cure is thrown at once.
     */
    private <T> T execute(List<SolrClient> nodes, Call<T> call) {
        long deadline = System.nanoTime() + options.retryFor().toNanos();
        for (int failures = 1; ; failures++) {
            int node = preferred;
            Exception failure;
            try {
                return call.run(nodes.get(node));
            } catch (SolrServerException | IOException e) {
                failure = e;
            } catch (SolrException e) {
                if (!SolrRetry.retriable(e)) throw e;
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while calling Solr", e);
            }
            preferred = (node + 1) % clients.size();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LoupeException.Unavailable unavailable = LoupeException.unavailable("Solr did not take the request within "
                        + options.retryFor() + " (nodes " + options.nodeUrls() + "); the last failure, at "
                        + options.nodeUrls().get(node) + ": " + failure);
                unavailable.initCause(failure);
                throw unavailable;
            }
            retried.increment();
            LOG.log(Level.FINE, () -> "retrying a Solr request after a failure at " + options.nodeUrls().get(node) + ": " + failure);
            try {
                Thread.sleep(SolrRetry.pause(failures, Duration.ofNanos(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting to retry a Solr request", e);
            }
        }
    }

    /** Requests sent again after a retriable failure, since this index was opened. */
    long retried() {
        return retried.sum();
    }

    @Override
    public void close() {
        for (SolrClient c : Stream.concat(clients.stream(), adminClients.stream()).toList()) {
            try {
                c.close();
            } catch (IOException e) {
                // closing a client frees local resources only
            }
        }
        http.close();
    }
}
