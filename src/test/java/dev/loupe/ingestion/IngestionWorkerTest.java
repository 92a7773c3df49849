package dev.loupe.ingestion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.queue.WorkItem.State;
import dev.loupe.testing.Images;
import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker against the real queue, index and fixture encoder, with faults placed by hand. */
class IngestionWorkerTest {
    private static byte[] image(Color c, long seed) {
        return Images.jpeg(Images.dominant(c, 64, 48, seed));
    }

    @Test
    void failuresThatCannotBeRecordedReleaseTheirItemsAndTheWorkClaimedNextIsNotDropped(@TempDir Path dir) throws Exception {
        try (WorkerRig rig = new WorkerRig(dir, WorkerRig.patientFetcher())) {
            rig.collection("ns_a");
            rig.storedObject("ns_a", "obj_bad", "not an image at all".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 4; i++) rig.storedObject("ns_a", "obj_good" + i, image(Color.RED, i));
            rig.enqueue("task_1", "ns_a", "obj_bad", "obj_good0", "obj_good1", "obj_good2", "obj_good3");
            FaultyQueue queue = new FaultyQueue(rig.store);
            // The disk is full: recording the bad item's failure fails twice, and releasing it the first time too.
            queue.onFail.next(2, FaultyQueue.DISK_FULL);
            queue.onRelease.next(1, FaultyQueue.DISK_FULL);
            rig.start(queue, 1);

            WorkerRig.await("every item settled", () -> rig.store.progress("task_1").pending() + rig.store.progress("task_1").running() == 0);
            for (int i = 0; i < 4; i++) assertEquals(State.DONE, rig.state("obj_good" + i), rig.items("obj_good" + i).toString());
            String bad = rig.items("obj_bad").values().iterator().next();
            assertTrue(bad.startsWith("FAILED/3: "), "released twice, failed on the third attempt with its reason: " + bad);
            assertFalse(bad.contains("SQLITE_FULL"), "the reason is the item's own, not the disk's: " + bad);
            assertEquals(2, queue.onFail.thrownCount.get());
            assertEquals(1, queue.onRelease.thrownCount.get(), "the release that failed was retried");
        }
    }

    @Test
    void workInFlightIsFinishedWhileClaimingFails(@TempDir Path dir) throws Exception {
        try (SlowImageServer slow = new SlowImageServer(image(Color.GREEN, 5));
             WorkerRig rig = new WorkerRig(dir, WorkerRig.patientFetcher())) {
            rig.collection("ns_a");
            rig.urlObject("ns_a", "obj_in_flight", slow.url());
            rig.storedObject("ns_a", "obj_later", image(Color.RED, 6));
            rig.enqueue("task_1", "ns_a", "obj_in_flight");
            FaultyQueue queue = new FaultyQueue(rig.store);
            rig.start(queue, 4);
            slow.sending.await();
            queue.onClaim.next(Integer.MAX_VALUE, FaultyQueue.DISK_FULL); // from now on every claim fails
            WorkerRig.await("a claim failed", () -> queue.onClaim.thrownCount.get() > 0);
            slow.rest.countDown();
            WorkerRig.await("the item in flight done", () -> rig.state("obj_in_flight") == State.DONE);

            queue.onClaim.next(0, FaultyQueue.DISK_FULL);
            rig.enqueue("task_2", "ns_a", "obj_later");
            WorkerRig.await("claims work again", () -> rig.state("obj_later") == State.DONE);
        }
    }

    @Test
    void anErrorWhileProcessingAnItemSettlesItAndTheWorkerGoesOn(@TempDir Path dir) throws Exception {
        try (WorkerRig rig = new WorkerRig(dir, WorkerRig.patientFetcher())) {
            rig.collection("ns_a");
            rig.storedObject("ns_a", "obj_1", image(Color.RED, 1));
            rig.storedObject("ns_a", "obj_2", image(Color.BLUE, 2));
            rig.enqueue("task_1", "ns_a", "obj_1");
            FaultyQueue queue = new FaultyQueue(rig.store);
            // A buggy component: an Error, not a RuntimeException, after the document was indexed.
            queue.onComplete.next(1, () -> new StackOverflowError());
            IngestionWorker worker = rig.start(queue, 1);
            WorkerRig.await("obj_1 done", () -> rig.state("obj_1") == State.DONE);
            assertTrue(rig.items("obj_1").values().iterator().next().startsWith("DONE/2"), "tried again: " + rig.items("obj_1"));
            assertEquals(1, queue.onComplete.thrownCount.get());

            rig.enqueue("task_2", "ns_a", "obj_2");
            WorkerRig.await("obj_2 done after the Error", () -> rig.state("obj_2") == State.DONE);
            assertTrue(rig.thread().isAlive());
            assertTrue(worker.failure().isEmpty());
            assertEquals(java.util.List.of(), rig.ingestion.stoppedWorkers());
        }
    }

    @Test
    void anErrorWhilePreparingAnItemFailsItWithTheErrorAsReason(@TempDir Path dir) throws Exception {
        try (SlowImageServer server = new SlowImageServer(image(Color.GREEN, 3));
             WorkerRig rig = new WorkerRig(dir, new dev.loupe.blob.UrlFetcher(WorkerRig.patientFetcher().options(),
                     dev.loupe.blob.UrlFetcher.Resolver.SYSTEM, (address, timeout) -> {
                         throw new AssertionError("connector bug");
                     }))) {
            rig.collection("ns_a");
            rig.urlObject("ns_a", "obj_1", server.url());
            rig.storedObject("ns_a", "obj_2", image(Color.BLUE, 2));
            rig.enqueue("task_1", "ns_a", "obj_1", "obj_2");
            rig.start(rig.store, 1);
            WorkerRig.await("both settled", () -> rig.store.progress("task_1").pending() + rig.store.progress("task_1").running() == 0);
            assertEquals("FAILED/1: AssertionError: connector bug", rig.items("obj_1").values().iterator().next());
            assertEquals(State.DONE, rig.state("obj_2"));
        }
    }

    @Test
    void aSlowFetchInOneNamespaceDoesNotHoldBackAnotherNamespacesWork(@TempDir Path dir) throws Exception {
        try (SlowImageServer slow = new SlowImageServer(image(Color.GREEN, 7));
             WorkerRig rig = new WorkerRig(dir, WorkerRig.patientFetcher())) {
            rig.collection("ns_a");
            rig.collection("ns_b");
            rig.urlObject("ns_a", "obj_slow", slow.url());
            rig.storedObject("ns_b", "obj_fast", image(Color.RED, 8));
            rig.enqueue("task_a", "ns_a", "obj_slow");
            rig.start(rig.store, 16);
            slow.sending.await(); // A's fetch has its headers and half its body; the rest waits for the test
            rig.enqueue("task_b", "ns_b", "obj_fast");
            WorkerRig.await("B's item done", () -> rig.state("obj_fast") == State.DONE);
            assertEquals(State.RUNNING, rig.state("obj_slow"), "A's fetch is still in progress");
            assertEquals(1, rig.index.count("col_ns_b", dev.loupe.filter.FilterNode.ALL));

            slow.rest.countDown();
            WorkerRig.await("A's item done once its body arrived", () -> rig.state("obj_slow") == State.DONE);
        }
    }

    @Test
    void manySlowItemsInOneNamespaceLeaveSlotsForAnother(@TempDir Path dir) throws Exception {
        try (SlowImageServer slow = new SlowImageServer(image(Color.GREEN, 7));
             WorkerRig rig = new WorkerRig(dir, WorkerRig.patientFetcher())) {
            rig.collection("ns_a");
            rig.collection("ns_b");
            String[] slowOnes = new String[10];
            for (int i = 0; i < slowOnes.length; i++) slowOnes[i] = rig.urlObject("ns_a", "obj_slow" + i, slow.url());
            rig.storedObject("ns_b", "obj_fast", image(Color.RED, 8));
            rig.enqueue("task_a", "ns_a", slowOnes);
            rig.start(rig.store, 2); // 8 slots: ns_a may fill 6 of them while nobody else has work
            WorkerRig.await("ns_a's slots taken", () -> rig.store.progress("task_a").running() == 6);
            rig.enqueue("task_b", "ns_b", "obj_fast");
            WorkerRig.await("ns_b's item done", () -> rig.state("obj_fast") == State.DONE);
            assertEquals(6, rig.store.progress("task_a").running(), "ns_a's fetches are all still in progress");
            assertEquals(0, rig.store.progress("task_a").done());

            slow.rest.countDown();
            WorkerRig.await("ns_a's items done", () -> rig.store.progress("task_a").done() == slowOnes.length);
        }
    }

    @Test
    void aWorkerThreadThatEndsIsReported(@TempDir Path dir) throws Exception {
        try (WorkerRig rig = new WorkerRig(dir, WorkerRig.patientFetcher())) {
            IngestionWorker worker = rig.start(rig.store, 1);
            assertEquals(java.util.List.of(), rig.ingestion.stoppedWorkers());
            rig.thread().interrupt();
            rig.thread().join();
            assertEquals(java.util.List.of("ingestion stopped: the worker thread was interrupted"), rig.ingestion.stoppedWorkers());
            assertEquals("ingestion stopped: the worker thread was interrupted", worker.failure().orElseThrow());
        }
    }

    /**
     * An HTTP server on loopback sending one image: the headers and the first half at once,
     * the rest only once the test counts {@link #rest} down.
     */
    static final class SlowImageServer implements AutoCloseable {
        final CountDownLatch sending = new CountDownLatch(1);
        final CountDownLatch rest = new CountDownLatch(1);
        private final ServerSocket server = new ServerSocket();

        SlowImageServer(byte[] body) throws IOException {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread.ofVirtual().start(() -> serve(s, body));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket s, byte[] body) {
            try (s) {
                InputStream in = s.getInputStream();
                for (int matched = 0; matched < 4; ) {
                    int b = in.read();
                    if (b < 0) return;
                    matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, body.length / 2);
                out.flush();
                sending.countDown();
                rest.await();
                out.write(body, body.length / 2, body.length - body.length / 2);
                out.flush();
            } catch (Exception e) {
                // the client went away or the test ended
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/slow.jpg";
        }

        @Override
        public void close() throws IOException {
            rest.countDown();
            server.close();
        }
    }

}
