package io.ocbridge.crypto.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM armour: one object of a known type per text. */
final class Pem {

    static final String CERTIFICATE = "CERTIFICATE";
    static final String PRIVATE_KEY = "PRIVATE KEY";
    static final String CRL = "X509 CRL";

    private Pem() {
    }

    static String encode(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string failed", e);
        }
        return out.toString();
    }

    /** The DER content of the first PEM object in {@code text}, which must be of {@code type}. */
    static byte[] decode(String text, String type) throws PkiException {
        PemObject object;
        try (PemReader reader = new PemReader(new StringReader(text))) {
            object = reader.readPemObject();
        } catch (IOException | RuntimeException e) {
            throw new PkiException("not valid PEM: " + e.getMessage());
        }
        if (object == null) {
            throw new PkiException("no PEM \"" + type + "\" block found");
        }
        if (!object.getType().equals(type)) {
            throw new PkiException("expected a PEM \"" + type + "\" block, found \"" + object.getType() + "\"");
        }
        return object.getContent();
    }
}
