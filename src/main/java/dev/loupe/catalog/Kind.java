package dev.loupe.catalog;

/**
 * A kind of catalog resource: its name in errors, its id prefix, and the record
 * that stores it. The set is closed; each constant is typed by its record.
 */
public final class Kind<T> {
    public static final Kind<Namespace> NAMESPACE = new Kind<>("namespace", "ns_", Namespace.class);
    public static final Kind<Bucket> BUCKET = new Kind<>("bucket", "bkt_", Bucket.class);
    public static final Kind<StoredObject> OBJECT = new Kind<>("object", "obj_", StoredObject.class);
    public static final Kind<Batch> BATCH = new Kind<>("batch", "btch_", Batch.class);
    public static final Kind<Collection> COLLECTION = new Kind<>("collection", "col_", Collection.class);
    public static final Kind<RetrieverDefinition> RETRIEVER = new Kind<>("retriever", "ret_", RetrieverDefinition.class);
    public static final Kind<ClusterDefinition> CLUSTER = new Kind<>("cluster", "clust_", ClusterDefinition.class);
    /** An execution of a cluster; its id is its task's with {@code run_} for {@code task_}, so either finds the other. */
    public static final Kind<ClusterRun> CLUSTER_RUN = new Kind<>("cluster_run", "run_", ClusterRun.class);
    public static final Kind<Task> TASK = new Kind<>("task", "task_", Task.class);

    private final String name;
    private final String prefix;
    private final Class<T> type;

    private Kind(String name, String prefix, Class<T> type) {
        this.name = name;
        this.prefix = prefix;
        this.type = type;
    }

    public String name() {
        return name;
    }

    public String prefix() {
        return prefix;
    }

    public Class<T> type() {
        return type;
    }

    public String newId() {
        return Ids.next(prefix);
    }

    @Override
    public String toString() {
        return name;
    }
}
