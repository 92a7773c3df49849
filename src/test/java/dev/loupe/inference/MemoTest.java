package dev.loupe.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoTest {
    /** A guard against a hang, not a speed bound: the value under test is computed in microseconds. */
    private static final long LIVENESS_SECONDS = 30;

    @Test
    void aSlowComputationForOneKeyDoesNotHoldUpAnotherKey() throws Exception {
        Memo<String, String> memo = Memo.bounded(8);
        memo.get("cached", k -> "before");
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> slow = onOwnThread(() -> memo.get("slow", k -> {
            slowStarted.countDown();
            await(release);
            return "slow value";
        }));
        assertTrue(slowStarted.await(LIVENESS_SECONDS, TimeUnit.SECONDS));
        // Both calls below would block behind the slow key if it were computed under the memo's lock.
        CompletableFuture<String> other = onOwnThread(() -> memo.get("other", k -> "other value"));
        CompletableFuture<String> hit = onOwnThread(() -> memo.get("cached", k -> "recomputed"));
        assertEquals("other value", other.get(LIVENESS_SECONDS, TimeUnit.SECONDS));
        assertEquals("before", hit.get(LIVENESS_SECONDS, TimeUnit.SECONDS));
        assertFalse(slow.isDone(), "the slow key is still being computed");
        release.countDown();
        assertEquals("slow value", slow.get(LIVENESS_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void callersOfAKeyInFlightWaitForThatOneComputation() throws Exception {
        Memo<String, Object> memo = Memo.unbounded();
        AtomicInteger computations = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Object value = new Object();
        CompletableFuture<Object> first = onOwnThread(() -> memo.get("k", k -> {
            computations.incrementAndGet();
            started.countDown();
            await(release);
            return value;
        }));
        assertTrue(started.await(LIVENESS_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<Object> second = onOwnThread(() -> memo.get("k", k -> {
            computations.incrementAndGet();
            return new Object();
        }));
        assertFalse(memo.holds("k"), "a value in flight is not yet held");
        release.countDown();
        assertSame(value, first.get(LIVENESS_SECONDS, TimeUnit.SECONDS));
        assertSame(value, second.get(LIVENESS_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, computations.get());
        assertTrue(memo.holds("k"));
    }

    @Test
    void aFailedComputationIsNotKept() {
        Memo<String, String> memo = Memo.unbounded();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> memo.get("k", k -> {
            throw new IllegalStateException("model missing");
        }));
        assertEquals("model missing", e.getMessage());
        assertFalse(memo.holds("k"));
        assertEquals("loaded", memo.get("k", k -> "loaded"));
    }

    @Test
    void aBoundedMemoForgetsTheLeastRecentlyUsedValue() {
        Memo<String, String> memo = Memo.bounded(2);
        memo.get("a", k -> "A");
        memo.get("b", k -> "B");
        memo.get("a", k -> "unused");
        memo.get("c", k -> "C");
        assertTrue(memo.holds("a"));
        assertFalse(memo.holds("b"), "b was used least recently");
        assertTrue(memo.holds("c"));
        assertEquals(java.util.List.of("A", "C"), memo.clear().stream().sorted().toList());
        assertFalse(memo.holds("a"));
    }

    /** Each call on a thread of its own: the common pool has one worker on a two-core machine. */
    private static <T> CompletableFuture<T> onOwnThread(java.util.function.Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, Thread::startVirtualThread);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(LIVENESS_SECONDS, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
