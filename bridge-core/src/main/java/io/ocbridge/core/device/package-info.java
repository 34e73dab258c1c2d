/**
 * The operating system's side: TUN and TAP devices through Java's FFM API (libc bindings in {@code Libc}), their
 * read and write loops on the event loop, {@code ip} for links, addresses, routes and a forced tunnel's policy rules,
 * rtnetlink events, and files read without following links. Called by the daemon, config and ha.
 */
package io.ocbridge.core.device;
