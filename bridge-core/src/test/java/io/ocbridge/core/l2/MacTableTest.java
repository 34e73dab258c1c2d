package io.ocbridge.core.l2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ocbridge.core.l2.MacTable.Learned;
import org.junit.jupiter.api.Test;

/** Learning, damping and shares of the MAC table, with owners as plain objects and a virtual clock. */
class MacTableTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long AGING = 300 * SECOND;
    private static final long HOLD = 30 * SECOND;
    private static final long MAC = 0x0200_0000_0101L;

    private final Object local = "local";
    private final Object owner = "long-standing owner";
    private final Object attacker = "attacker";
    /** Starts negative: System.nanoTime() may be. */
    private long now = -50 * SECOND;

    private MacTable<Object> table(int flapLimit) {
        return new MacTable<>(64, 64, AGING, flapLimit, HOLD, local);
    }

    private Learned learn(MacTable<Object> table, Object who) {
        now += SECOND / 10;
        return table.learn(MAC, who, now);
    }

    @Test
    void dampingFreezesToTheLongStandingOwnerEvenWhenTheAttackerHoldsTheMacAtThatMoment() {
        MacTable<Object> table = table(3);
        assertEquals(Learned.NEW, learn(table, owner));
        now += 11 * SECOND;
        assertEquals(Learned.REFRESHED, learn(table, owner));   // held a whole window: long-standing
        assertEquals(Learned.MOVED, learn(table, attacker));
        assertEquals(Learned.MOVED, learn(table, owner));
        assertEquals(Learned.MOVED, learn(table, attacker));
        // The attacker holds the MAC as the owner's frame makes the fourth move: it used to be frozen to the attacker.
        assertEquals(Learned.KEPT, learn(table, owner));
        assertSame(owner, table.lookup(MAC, now));
        assertEquals(Learned.DAMPED, learn(table, attacker));
        assertEquals(Learned.REFRESHED, learn(table, owner));
    }

    @Test
    void aFreezeTriggeredByTheAttackerAlsoGoesToTheLongStandingOwner() {
        MacTable<Object> table = table(2);
        learn(table, owner);
        now += 11 * SECOND;
        learn(table, owner);
        assertEquals(Learned.MOVED, learn(table, attacker));
        assertEquals(Learned.MOVED, learn(table, owner));
        assertEquals(Learned.FROZEN, learn(table, attacker));
        assertSame(owner, table.lookup(MAC, now));
    }

    @Test
    void withoutALongStandingOwnerTheCurrentOwnerKeepsIt() {
        MacTable<Object> table = table(2);
        learn(table, owner);
        learn(table, attacker);
        learn(table, owner);
        assertEquals(Learned.FROZEN, learn(table, attacker), "a MAC flapping from the start: frozen where it is");
        assertSame(owner, table.lookup(MAC, now));
    }

    @Test
    void theLocalSideIsPreferredOverAnyPeer() {
        MacTable<Object> table = table(2);
        assertEquals(Learned.NEW, learn(table, local));
        assertNull(table.lookup(MAC, now), "a local MAC has no remote owner");
        assertEquals(0, table.size());
        assertEquals(Learned.MOVED, learn(table, attacker));
        assertSame(attacker, table.lookup(MAC, now));
        assertEquals(Learned.MOVED, learn(table, local));
        assertEquals(Learned.FROZEN, learn(table, attacker), "frozen to the local side, not to the attacker");
        assertNull(table.lookup(MAC, now));
        assertEquals(Learned.DAMPED, learn(table, attacker));
        assertEquals(Learned.REFRESHED, learn(table, local));
        now += HOLD;
        assertEquals(Learned.MOVED, learn(table, attacker), "after the hold the MAC may move again");
    }

    @Test
    void theLocalSideTakesOverAMacFrozenToAPeer() {
        MacTable<Object> table = table(2);
        learn(table, owner);
        learn(table, attacker);
        learn(table, owner);
        learn(table, attacker);
        assertEquals(Learned.DAMPED, learn(table, attacker));
        assertEquals(Learned.MOVED, learn(table, local), "the local side is never refused");
        assertNull(table.lookup(MAC, now));
        assertEquals(Learned.DAMPED, learn(table, owner), "and the MAC stays frozen, now to the local side");
    }

    @Test
    void eachRemoteOwnerHoldsAtMostItsShare() {
        MacTable<Object> table = new MacTable<>(8, 4, AGING, 0, 0, local);
        for (int i = 0; i < 10; i++) {
            assertEquals(i < 4 ? Learned.NEW : Learned.SHARE_FULL, table.learn(MAC + i, attacker, now));
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(Learned.NEW, table.learn(MAC + 100 + i, owner, now), "the flood left room for the others");
        }
        assertEquals(Learned.FULL, table.learn(MAC + 200, "third", now));
        assertEquals(Learned.SHARE_FULL, table.learn(MAC + 100, attacker, now), "a move also needs room");
        assertEquals(8, table.size());
        assertEquals(Learned.NEW, table.learn(MAC + 300, local, now), "local MACs have their own bound");
        assertEquals(8, table.size());
        assertEquals(4, table.heldBy(attacker));

        table.forget(attacker);
        assertEquals(0, table.heldBy(attacker));
        assertEquals(4, table.size());
        assertEquals(Learned.NEW, table.learn(MAC + 5, attacker, now));
        now += AGING;
        assertEquals(6, table.expire(now));
        assertEquals(0, table.size());
        assertEquals(0, table.heldBy(owner));
    }
}
