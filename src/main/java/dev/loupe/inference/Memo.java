package dev.loupe.inference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Values computed once per key and kept, for work too slow to run under a lock: a model load,
 * a text encoding. The computation runs on the caller's thread outside any lock, so a slow key
 * never holds up another key or a lookup of a value already there; callers asking for a key
 * already being computed wait for that one computation rather than starting a second. A failed
 * computation is not kept, so the next caller tries again. Bounded memos forget the least
 * recently used values first.
 */
public final class Memo<K, V> {
    private final int capacity;
    private final LinkedHashMap<K, CompletableFuture<V>> entries = new LinkedHashMap<>(16, 0.75f, true);

    private Memo(int capacity) {
        this.capacity = capacity;
    }

    public static <K, V> Memo<K, V> bounded(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("a memo holds at least one value, got " + capacity);
        return new Memo<>(capacity);
    }

    public static <K, V> Memo<K, V> unbounded() {
        return new Memo<>(Integer.MAX_VALUE);
    }

    public V get(K key, Function<? super K, ? extends V> compute) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> existing;
        synchronized (this) {
            existing = entries.putIfAbsent(key, mine);
            if (existing == null && entries.size() > capacity) {
                // Forgetting an entry in flight is harmless: its waiters hold the future itself.
                var eldest = entries.entrySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
        if (existing != null) return await(existing);
        try {
            V value = compute.apply(key);
            mine.complete(value);
            return value;
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                entries.remove(key, mine);
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** Whether a value for {@code key} is computed and kept, without counting as a use. */
    public synchronized boolean holds(K key) {
        CompletableFuture<V> f = entries.get(key);
        return f != null && f.isDone() && !f.isCompletedExceptionally();
    }

    /** Removes every value and returns those that were computed, for their owner to close. */
    public List<V> clear() {
        List<CompletableFuture<V>> all;
        synchronized (this) {
            all = new ArrayList<>(entries.values());
            entries.clear();
        }
        List<V> done = new ArrayList<>();
        for (CompletableFuture<V> f : all) {
            if (f.isDone() && !f.isCompletedExceptionally()) done.add(f.join());
        }
        return done;
    }

    private static <V> V await(CompletableFuture<V> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            // The computing caller threw this; waiters see the same failure, not a wrapper.
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }
}
