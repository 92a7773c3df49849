package dev.loupe.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Loupe's meters, in one registry rendered in Prometheus' text format for {@code GET /metrics}.
 * The layers record into it through these methods (they never see Micrometer); sizes that
 * are cheaper to read than to track (queue depth, documents per collection) are read at each
 * scrape from the suppliers the wiring gives.
 *
 * <pre>
 * http_server_requests_seconds{method, route, status}   request latency (histogram), route = matched path pattern
 * loupe_ingestion_items_total{extractor, outcome}        items processed / failed
 * loupe_model_calls_seconds{extractor, use}              one call of an extractor's models, ingestion batch or query (histogram)
 * loupe_queue_items{state}                               work items pending / running
 * loupe_index_documents{namespace, collection}           documents per collection
 * jvm_memory_*, system_cpu_*, process_cpu_*              the JVM's own
 * </pre>
 */
public final class Metrics {
    /** Latency buckets: from a cached lookup to a slow remote provider. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    /** Work items by state, as the queue counts them. */
    public record QueueDepth(long pending, long running) {
    }

    /** One collection's size. */
    public record IndexSize(String namespace, String collection, long documents) {
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MultiGauge indexDocuments = MultiGauge.builder("loupe.index.documents")
            .description("documents in each collection's index").register(registry);
    private volatile Supplier<? extends Collection<IndexSize>> indexSizes = List::of;

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** Reads the queue's depth at each scrape. */
    public void watchQueue(Supplier<QueueDepth> depth) {
        Gauge.builder("loupe.queue.items", () -> depth.get().pending()).tag("state", "pending")
                .description("ingestion work items by state").register(registry);
        Gauge.builder("loupe.queue.items", () -> depth.get().running()).tag("state", "running")
                .description("ingestion work items by state").register(registry);
    }

    /** Reads the collections' sizes at each scrape. */
    public void watchIndex(Supplier<? extends Collection<IndexSize>> sizes) {
        this.indexSizes = sizes;
    }

    public void request(String method, String route, int status, long nanos) {
        Timer.builder("http.server.requests").description("HTTP requests by matched route and status")
                .tags("method", method, "route", route, "status", String.valueOf(status))
                .serviceLevelObjectives(BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void itemProcessed(String extractor) {
        items(extractor, "processed").increment();
    }

    public void itemFailed(String extractor) {
        items(extractor, "failed").increment();
    }

    private Counter items(String extractor, String outcome) {
        return Counter.builder("loupe.ingestion.items").description("ingestion work items by extractor and outcome")
                .tags("extractor", extractor, "outcome", outcome).register(registry);
    }

    /** What a model call served. */
    public enum ModelUse {
        /** a batch of ingested inputs */
        INGESTION,
        /** a search's query (a text or an image to embed) */
        QUERY
    }

    /** One call of an extractor's models: a batch of ingested inputs, or one query. */
    public void modelCall(String extractor, ModelUse use, long nanos) {
        Timer.builder("loupe.model.calls").description("time of one call of an extractor's models")
                .tags("extractor", extractor, "use", use.name().toLowerCase(java.util.Locale.ROOT))
                .serviceLevelObjectives(BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Everything, in Prometheus' text exposition format. */
    public String scrape() {
        indexDocuments.register(indexSizes.get().stream()
                .map(s -> MultiGauge.Row.of(Tags.of("namespace", s.namespace(), "collection", s.collection()), s.documents()))
                .toList(), true);
        return registry.scrape();
    }
}
