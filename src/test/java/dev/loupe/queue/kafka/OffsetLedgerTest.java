package dev.loupe.queue.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetLedgerTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    @Test
    void anUnsettledOffsetHoldsBackTheSettledOnesAfterIt() {
        OffsetLedger ledger = new OffsetLedger();
        for (long o = 10; o < 14; o++) ledger.received(P0, o);
        ledger.settled(P0, 10);
        ledger.settled(P0, 12);
        ledger.settled(P0, 13);
        assertEquals(Map.of(P0, 11L), ledger.committable(null), "only 10 is settled with all before it");
        assertEquals(Map.of(), ledger.committable(null), "nothing new until 11 settles");
        ledger.settled(P0, 11);
        assertEquals(Map.of(P0, 14L), ledger.committable(null));
        assertEquals(0, ledger.unsettled());
    }

    @Test
    void partitionsAreCommittedOnTheirOwnAndDroppedOnesAreForgotten() {
        OffsetLedger ledger = new OffsetLedger();
        ledger.received(P0, 0);
        ledger.received(P1, 5);
        ledger.received(P1, 6);
        ledger.settled(P1, 5);
        assertEquals(Map.of(), ledger.committable(List.of(P0)));
        ledger.drop(List.of(P1));
        ledger.settled(P1, 6);
        assertEquals(Map.of(), ledger.committable(null), "a dropped partition's offsets are its new owner's");
        assertEquals(1, ledger.unsettled());
    }
}
