package dev.loupe.scaleout;

/** The wait between two looks of a test's polling loop, where an interrupt ends the test. */
final class Poll {
    private Poll() {
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
