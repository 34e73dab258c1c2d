package io.ocbridge.cli.demo;

/** A demo step did not do what it shows; the message says which and why. Exit code 1. */
final class DemoFailure extends RuntimeException {
    DemoFailure(String message) {
        super(message);
    }
}
