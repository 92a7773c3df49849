package dev.loupe.queue.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.catalog.Database;
import dev.loupe.queue.ObjectDeletion;
import dev.loupe.queue.SqlWorkQueue;
import dev.loupe.queue.TaskProgress;
import dev.loupe.queue.WorkItem;
import dev.loupe.queue.WorkQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@link WorkQueue} whose dispatch goes through Kafka while the SQL queue stays the record of
 * every item's state (the transactional outbox): a batch still records its task and queues its
 * items in one transaction, and a task's progress is still one query.
 *
 * <ul>
 * <li>Every item that becomes PENDING gets an outbox row in the same transaction (by trigger);
 *     a relay thread publishes one message per row to {@link KafkaQueueOptions#topic} keyed by
 *     object id, so one object's work stays in order on one partition, and deletes the row once
 *     the brokers acknowledged it (acks=all, idempotent producer). A crash between the two
 *     publishes it again: delivery is at least once, and claims make it exactly once.</li>
 * <li>One consumer thread owns the {@link KafkaConsumer} (it is not thread-safe): it reads
 *     messages into an in-memory hand-off that {@link #claim} takes from, round-robin over
 *     namespaces and one item per object at a time. A claim is a conditional update in SQL:
 *     it takes the item only if it is still PENDING, or RUNNING under a node that left the
 *     consumer group or, on a shared catalog, whose lease ran out (its attempt counted; out of
 *     attempts, the item is FAILED). The claim records this node and a lease as the SQL
 *     queue's own claims do, so its lease renewals, outcomes and recovery apply unchanged.
 *     A message for an item that already reached an outcome is skipped; one for an item a live
 *     instance runs waits until that instance settles it.</li>
 * <li>Offsets are committed, by the consumer thread, only up to the first message whose item
 *     has no durable outcome yet ({@link OffsetLedger}); a released item's message is settled
 *     and the item, PENDING again, is published anew. On a rebalance the settled prefix is
 *     committed and unsettled messages are dropped: their new owner reads them again.</li>
 * </ul>
 * Everything else (progress, cancel, deletions, depth) is the SQL queue's.
 */
public final class KafkaWorkQueue implements WorkQueue, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KafkaWorkQueue.class.getName());
    /** Kafka's clients log every setting of every client at INFO; held so the level sticks. */
    private static final Logger KAFKA_LOG = Logger.getLogger("org.apache.kafka");

    static {
        KAFKA_LOG.setLevel(Level.WARNING);
    }
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(100);
    /** How often messages waiting on another instance's running item look at it again. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** How long the group's membership is trusted before it is asked again. */
    private static final long MEMBERS_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long RELAY_EVERY_MILLIS = 1000;
    private static final int RELAY_BATCH = 500;
    /** Messages held in the hand-off before the consumer pauses its partitions. */
    private static final int MAX_BUFFERED = 1000;

    /** One message read: where it is, and the item it names. */
    private record Received(TopicPartition partition, long offset, Outbox.Dispatch dispatch, String deadOwner) {
        Received withDeadOwner(String owner) {
            return new Received(partition, offset, dispatch, owner);
        }
    }

    private final SqlWorkQueue sql;
    private final Outbox outbox;
    private final KafkaQueueOptions options;
    /** This node's id: its client id in the consumer group and the owner of the items it claims, as the SQL queue names them. */
    private final String owner;
    /** Several nodes share the catalog (PostgreSQL): leases are renewed, so one that ran out marks a dead node. */
    private final boolean shared;
    private final OffsetLedger ledger = new OffsetLedger();
    private final Admin admin;
    private final KafkaProducer<String, String> producer;
    private final Thread consumerThread;
    private final Thread relayThread;
    private volatile boolean closed;
    private volatile KafkaConsumer<String, String> consumer;

    // Guarded by handoff.
    private final Object handoff = new Object();
    private final List<Received> candidates = new ArrayList<>();
    private final List<Received> parked = new ArrayList<>();
    /** Item seq → the messages naming an item this instance runs. */
    private final Map<Long, List<Received>> running = new HashMap<>();
    /** Objects with an item this instance runs: their next item waits. */
    private final Map<String, Integer> busyObjects = new HashMap<>();

    private final Object relaySignal = new Object();
    private boolean relayNudged;
    private volatile Set<String> liveOwners = Set.of();
    private volatile long liveOwnersAt;

    /**
     * A queue dispatching {@code sql}'s items through Kafka; {@code database} is the catalog
     * {@code sql} keeps its items in. Creates the topic if it is missing, and turns the catalog's
     * outbox on (items already PENDING are published).
     */
    public KafkaWorkQueue(SqlWorkQueue sql, Database database, KafkaQueueOptions options) {
        this.sql = sql;
        this.outbox = new Outbox(database);
        this.options = options;
        this.owner = sql.nodeId();
        this.shared = database.dialect().shared();
        // First, so that nothing queued from here on misses the outbox; a start that fails later leaves
        // rows a SQL-only start drops (stopDispatch) or a later Kafka start publishes.
        int waiting = outbox.start();
        if (waiting > 0) LOG.info(waiting + " work item(s) queued without Kafka are published to " + options.topic());
        Properties common = new Properties();
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        this.admin = Admin.create(common);
        try {
            ensureTopic();
            Properties p = new Properties();
            p.putAll(common);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, owner + "-relay");
            this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
        } catch (RuntimeException e) {
            admin.close(Duration.ofSeconds(5));
            throw e;
        }
        this.consumerThread = Thread.ofPlatform().name("kafka-queue-consumer").daemon().start(this::consume);
        this.relayThread = Thread.ofPlatform().name("kafka-queue-relay").daemon().start(this::relay);
    }

    private void ensureTopic() {
        try {
            int brokers = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
            short replication = (short) Math.min(3, brokers);
            NewTopic topic = new NewTopic(options.topic(), options.partitions(), replication)
                    .configs(Map.of("min.insync.replicas", replication >= 3 ? "2" : "1"));
            admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create Kafka topic " + options.topic() + " at " + options.bootstrapServers()
                        + ": " + e.getCause().getMessage(), e.getCause());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no Kafka broker answered at " + options.bootstrapServers() + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- dispatch: the relay ----

    private void nudgeRelay() {
        synchronized (relaySignal) {
            relayNudged = true;
            relaySignal.notifyAll();
        }
    }

    private void relay() {
        while (!closed) {
            try {
                synchronized (relaySignal) {
                    if (!relayNudged) relaySignal.wait(RELAY_EVERY_MILLIS);
                    relayNudged = false;
                }
                while (!closed && publishOnce() == RELAY_BATCH) {
                    // a full batch: there may be more
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!closed) LOG.log(Level.WARNING, "publishing queued work to Kafka failed; the next pass retries", e);
            }
        }
    }

    /** Publishes one batch of the outbox and forgets the rows the brokers acknowledged; how many rows it read. */
    int publishOnce() throws InterruptedException {
        List<Outbox.Unpublished> batch = outbox.unpublished(RELAY_BATCH);
        Map<Long, Future<RecordMetadata>> sent = new LinkedHashMap<>();
        for (Outbox.Unpublished u : batch) {
            Outbox.Dispatch d = u.dispatch();
            sent.put(u.id(), producer.send(new ProducerRecord<>(options.topic(), d.objectId(), encode(d))));
        }
        List<Long> acked = new ArrayList<>();
        RuntimeException first = null;
        for (Map.Entry<Long, Future<RecordMetadata>> e : sent.entrySet()) {
            try {
                e.getValue().get();
                acked.add(e.getKey());
            } catch (ExecutionException failed) {
                if (first == null) first = new IllegalStateException("Kafka did not take outbox row " + e.getKey() + ": " + failed.getCause().getMessage(), failed.getCause());
            }
        }
        outbox.published(acked);
        if (first != null) throw first;
        return batch.size();
    }

    private static String encode(Outbox.Dispatch d) {
        return JSON.createObjectNode().put("seq", d.seq()).put("namespace_id", d.namespaceId()).put("object_id", d.objectId()).toString();
    }

    private static Outbox.Dispatch decode(String value) {
        try {
            var n = JSON.readTree(value);
            return new Outbox.Dispatch(n.path("seq").asLong(), n.path("namespace_id").asText(), n.path("object_id").asText());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a work message: " + value, e);
        }
    }

    // ---- dispatch: the consumer thread ----

    /** The consumer's configuration: {@code owner} is its client id, which {@link #live} looks for in the group. */
    static Properties consumerProperties(KafkaQueueOptions options, String owner) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, options.group());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, owner);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        int session = (int) options.sessionTimeout().toMillis();
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, session);
        // Kafka's advice: heartbeats at most a third of the session, so two may be lost without eviction.
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(100, session / 3));
        return p;
    }

    private void consume() {
        Properties p = consumerProperties(options, owner);
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer = c;
            c.subscribe(List.of(options.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    commit(c, partitions);
                    forget(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    forget(partitions);
                }
            });
            long recheckedAt = System.nanoTime();
            while (!closed) {
                List<Received> fresh = new ArrayList<>();
                for (ConsumerRecord<String, String> r : c.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    ledger.received(tp, r.offset());
                    try {
                        fresh.add(new Received(tp, r.offset(), decode(r.value()), null));
                    } catch (IllegalArgumentException notOurs) {
                        LOG.warning("skipping a message on " + tp + " at " + r.offset() + ": " + notOurs.getMessage());
                        ledger.settled(tp, r.offset());
                    }
                }
                if (!fresh.isEmpty()) sort(fresh, true);
                if (System.nanoTime() - recheckedAt > RECHECK_NANOS) {
                    recheckedAt = System.nanoTime();
                    // Waiting messages, and buffered ones whose item another instance settled
                    // meanwhile (a second message for one item): settled here, not by a worker's claim.
                    List<Received> waiting;
                    synchronized (handoff) {
                        waiting = new ArrayList<>(parked);
                        waiting.addAll(candidates);
                    }
                    if (!waiting.isEmpty()) sort(waiting, false);
                }
                commit(c, null);
                synchronized (handoff) {
                    if (candidates.size() > MAX_BUFFERED) c.pause(c.assignment());
                    else if (!c.paused().isEmpty()) c.resume(c.paused());
                }
            }
            commit(c, null);
        } catch (WakeupException closing) {
            // close() woke the poll
        } catch (RuntimeException e) {
            if (!closed) LOG.log(Level.SEVERE, "the Kafka work queue's consumer stopped", e);
        }
    }

    /** Decides, from the items' rows, what each message is: work to hand off, settled, or waiting on a live instance. */
    private void sort(List<Received> messages, boolean fresh) {
        Set<Long> seqs = new HashSet<>();
        for (Received r : messages) seqs.add(r.dispatch().seq());
        Map<Long, Outbox.Row> rows = outbox.rows(seqs);
        synchronized (handoff) {
            for (Received r : messages) {
                // A message looked at again is placed again only if no claim took it meanwhile.
                boolean waiting = parked.remove(r) | candidates.remove(r);
                if (!fresh && !waiting) continue;
                Outbox.Row row = rows.get(r.dispatch().seq());
                if (row == null || row.state() == WorkItem.State.DONE || row.state() == WorkItem.State.FAILED
                        || row.state() == WorkItem.State.CANCELED) {
                    ledger.settled(r.partition(), r.offset());
                } else if (row.state() == WorkItem.State.PENDING) {
                    candidates.add(r);
                } else if (row.owner() != null && !row.owner().equals(owner) && (leaseRanOut(row) || !live(row.owner()))) {
                    candidates.add(r.withDeadOwner(row.owner()));
                } else if (row.owner() != null && row.owner().equals(owner) && running.containsKey(r.dispatch().seq())) {
                    // A second message for an item this instance runs: settled with it.
                    running.get(r.dispatch().seq()).add(r);
                } else {
                    parked.add(r);
                }
            }
            handoff.notifyAll();
        }
    }

    /** On a shared catalog every node renews the leases of its items, so a lease that ran out is a dead node's (SQLite's are not renewed). */
    private boolean leaseRanOut(Outbox.Row row) {
        return shared && row.leaseUntil() != null && row.leaseUntil() < sql.clock().millis();
    }

    private boolean live(String other) {
        if (System.nanoTime() - liveOwnersAt > MEMBERS_NANOS) {
            try {
                var group = admin.describeConsumerGroups(List.of(options.group())).all().get(10, TimeUnit.SECONDS).get(options.group());
                var state = group.groupState();
                // Mid-rebalance the member list is in flux: a live instance may be missing from it.
                if (state != org.apache.kafka.common.GroupState.STABLE && state != org.apache.kafka.common.GroupState.EMPTY
                        && state != org.apache.kafka.common.GroupState.DEAD) return true;
                Set<String> members = new HashSet<>();
                group.members().forEach(m -> members.add(m.clientId()));
                liveOwners = members;
                liveOwnersAt = System.nanoTime();
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                // Unknown membership: treat the other instance as alive; its message waits and is looked at again.
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return liveOwners.contains(other);
    }

    private void commit(KafkaConsumer<String, String> c, Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> next = ledger.committable(partitions);
        if (next.isEmpty()) return;
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        next.forEach((tp, offset) -> offsets.put(tp, new OffsetAndMetadata(offset)));
        try {
            c.commitSync(offsets);
        } catch (RuntimeException e) {
            // The messages are redelivered and found settled; nothing runs twice.
            LOG.log(Level.WARNING, "committing Kafka offsets failed; their messages will be read again", e);
        }
    }

    /** Drops what was buffered for partitions this instance no longer owns; running items finish, their messages are the new owner's. */
    private void forget(Collection<TopicPartition> partitions) {
        synchronized (handoff) {
            candidates.removeIf(r -> partitions.contains(r.partition()));
            parked.removeIf(r -> partitions.contains(r.partition()));
            for (List<Received> messages : running.values()) messages.removeIf(r -> partitions.contains(r.partition()));
        }
        ledger.drop(partitions);
    }

    // ---- WorkQueue ----

    @Override
    public void enqueue(List<WorkItem.Request> items) {
        sql.enqueue(items);
        nudgeRelay();
    }

    @Override
    public List<WorkItem> claim(int max, Set<String> exceptNamespaces) {
        List<WorkItem> out = new ArrayList<>();
        while (out.size() < max) {
            List<Received> picked = pick(max - out.size(), exceptNamespaces);
            if (picked.isEmpty()) break;
            List<Optional<WorkItem>> claimed;
            try {
                // One transaction for the lot, as the SQL queue claims.
                long leaseUntil = sql.clock().millis() + sql.lease().toMillis();
                claimed = outbox.atomically(() -> {
                    List<Optional<WorkItem>> each = new ArrayList<>();
                    for (Received r : picked) each.add(outbox.claim(r.dispatch().seq(), owner, leaseUntil, r.deadOwner(), maxAttempts(), givenUp()));
                    return each;
                });
            } catch (RuntimeException e) {
                synchronized (handoff) {
                    for (Received r : picked) {
                        busy(r.dispatch().objectId(), -1);
                        parked.add(r);
                    }
                }
                throw e;
            }
            synchronized (handoff) {
                for (int i = 0; i < picked.size(); i++) {
                    Received r = picked.get(i);
                    if (claimed.get(i).isPresent()) {
                        running.computeIfAbsent(r.dispatch().seq(), k -> new ArrayList<>()).add(r);
                        out.add(claimed.get(i).get());
                    } else {
                        // Taken by another instance, or given up: looked at again with the others waiting.
                        busy(r.dispatch().objectId(), -1);
                        parked.add(r);
                    }
                }
            }
        }
        return out;
    }

    /** Takes up to {@code max} messages off the hand-off: namespaces in turn, oldest first, and no object twice at once. */
    private List<Received> pick(int max, Set<String> exceptNamespaces) {
        synchronized (handoff) {
            Map<String, List<Received>> byNamespace = new LinkedHashMap<>();
            Set<String> objects = new HashSet<>();
            for (Received r : candidates) {
                String object = r.dispatch().objectId();
                if (exceptNamespaces.contains(r.dispatch().namespaceId()) || busyObjects.containsKey(object) || !objects.add(object)) continue;
                byNamespace.computeIfAbsent(r.dispatch().namespaceId(), k -> new ArrayList<>()).add(r);
            }
            List<Received> picked = new ArrayList<>();
            for (int turn = 0; picked.size() < max; turn++) {
                boolean any = false;
                for (List<Received> queue : byNamespace.values()) {
                    if (turn < queue.size() && picked.size() < max) {
                        picked.add(queue.get(turn));
                        any = true;
                    }
                }
                if (!any) break;
            }
            candidates.removeAll(picked);
            for (Received r : picked) busy(r.dispatch().objectId(), +1);
            return picked;
        }
    }

    private void busy(String objectId, int delta) {
        busyObjects.merge(objectId, delta, (a, b) -> a + b == 0 ? null : a + b);
    }

    /** The item reached an outcome or went back to PENDING: its messages are settled and its object may run its next item. */
    private void settle(WorkItem item) {
        synchronized (handoff) {
            List<Received> messages = running.remove(item.seq());
            if (messages != null) {
                busy(item.objectId(), -1);
                for (Received r : messages) ledger.settled(r.partition(), r.offset());
            }
            for (Iterator<Received> it = parked.iterator(); it.hasNext(); ) {
                Received r = it.next();
                if (r.dispatch().seq() == item.seq()) {
                    ledger.settled(r.partition(), r.offset());
                    it.remove();
                }
            }
            handoff.notifyAll();
        }
    }

    @Override
    public void complete(WorkItem item, int documentCount, TaskProgress.Tokens tokens, List<WorkItem.Request> followUps) {
        sql.complete(item, documentCount, tokens, followUps);
        settle(item);
        if (!followUps.isEmpty()) nudgeRelay();
    }

    @Override
    public void fail(WorkItem item, String reason) {
        sql.fail(item, reason);
        settle(item);
    }

    /** Back to PENDING (the outbox publishes it again) or, out of attempts, FAILED: either way this message is settled. */
    @Override
    public void release(WorkItem item, String reason) {
        sql.release(item, reason);
        settle(item);
        nudgeRelay();
    }

    private String givenUp() {
        int n = maxAttempts();
        return "given up after " + n + (n == 1 ? " attempt: " : " attempts: ") + "the queue instance running it stopped each time";
    }

    @Override
    public int maxAttempts() {
        return sql.maxAttempts();
    }

    /**
     * The SQL queue's recovery; the items it puts back to PENDING are published again by the
     * outbox trigger. On a shared catalog it takes back only this node's items and those whose
     * lease ran out, so it always runs. On SQLite it takes back every RUNNING item, which would
     * take live instances' items from under them, so it runs only when no other instance is in
     * the consumer group. With instances alive, nothing is needed: the messages of items a dead
     * instance ran were never committed, so they come back and are taken over, their attempt counted.
     */
    @Override
    public int recover() {
        if (shared) {
            int recovered = sql.recover();
            nudgeRelay();
            return recovered;
        }
        Set<String> others;
        try {
            var group = admin.describeConsumerGroups(List.of(options.group())).all().get(30, TimeUnit.SECONDS).get(options.group());
            Set<String> members = new HashSet<>();
            group.members().forEach(m -> members.add(m.clientId()));
            members.remove(owner);
            others = members;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                throw new IllegalStateException("cannot read Kafka consumer group " + options.group() + " to recover work: " + e.getCause().getMessage(), e);
            }
            others = Set.of(); // no group yet: no other instance
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot read Kafka consumer group " + options.group() + " to recover work: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (!others.isEmpty()) {
            LOG.info("work recovery left to redelivery: " + others.size() + " other instance(s) in consumer group " + options.group());
            return 0;
        }
        int recovered = sql.recover();
        nudgeRelay();
        return recovered;
    }

    @Override
    public int retry(String taskId, int maxAttempts) {
        int retried = sql.retry(taskId, maxAttempts);
        if (retried > 0) nudgeRelay();
        return retried;
    }

    @Override
    public void awaitWork(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (handoff) {
            while (!claimable()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) return;
                handoff.wait(left);
            }
        }
    }

    private boolean claimable() {
        for (Received r : candidates) if (!busyObjects.containsKey(r.dispatch().objectId())) return true;
        return false;
    }

    @Override
    public TaskProgress progress(String taskId) {
        return sql.progress(taskId);
    }

    @Override
    public Depth depth() {
        return sql.depth();
    }

    @Override
    public Map<String, ObjectOutcome> latestByObject(Collection<String> objectIds) {
        return sql.latestByObject(objectIds);
    }

    @Override
    public int cancel(String taskId) {
        return sql.cancel(taskId);
    }

    @Override
    public void recordDeletion(ObjectDeletion deletion) {
        sql.recordDeletion(deletion);
    }

    @Override
    public Set<String> deletedAmong(Collection<String> objectIds) {
        return sql.deletedAmong(objectIds);
    }

    @Override
    public List<ObjectDeletion> openDeletions(int max, int offset) {
        return sql.openDeletions(max, offset);
    }

    @Override
    public int liveItems(String objectId) {
        return sql.liveItems(objectId);
    }

    @Override
    public void finishDeletion(String objectId) {
        sql.finishDeletion(objectId);
    }

    @Override
    public void reject(List<WorkItem.Request> items, String reason) {
        sql.reject(items, reason);
    }

    /**
     * For a node whose work is dispatched by SQL alone: turns the catalog's outbox off and empties
     * it, since no relay would. Every node of one catalog uses the same {@code --queue}: a Kafka
     * node started later turns the outbox on again and publishes what is PENDING.
     */
    public static void stopDispatch(Database database) {
        int dropped = Outbox.stop(database);
        if (dropped > 0) LOG.info("work is dispatched by the catalog alone: " + dropped + " unpublished Kafka outbox row(s) dropped");
    }

    /** Messages read and not yet settled, for tests and metrics. */
    int unsettled() {
        return ledger.unsettled();
    }

    /**
     * Leaves the consumer group without settling what runs: the messages of items not finished
     * are read again by whichever instance gets their partitions, which finds them RUNNING under
     * an instance no longer in the group and runs them again.
     */
    @Override
    public void close() {
        closed = true;
        relayThread.interrupt();
        KafkaConsumer<String, String> c = consumer;
        if (c != null) c.wakeup();
        join(consumerThread);
        join(relayThread);
        producer.close(Duration.ofSeconds(10));
        admin.close(Duration.ofSeconds(10));
    }

    private static void join(Thread t) {
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
