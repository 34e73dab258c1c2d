package io.ocbridge.it;

import org.junit.jupiter.api.AfterEach;

/**
 * A test class that builds its namespaces in a lab ({@link Topology}, {@link L2Topology}) held in {@link #net}: the
 * lab, with every namespace, link and process in it, is closed after each test, passed or failed. A subclass's own
 * {@code @AfterEach} runs first (JUnit runs the superclass's last).
 */
abstract class LabTest<L extends Lab> {
    protected L net;

    @AfterEach
    final void closeLab() {
        if (net != null) {
            net.close();
            net = null;
        }
    }
}
