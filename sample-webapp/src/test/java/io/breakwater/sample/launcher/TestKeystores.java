package io.breakwater.sample.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Keystores made at test time by the JDK's own {@code keytool}, as the README tells users to make one, so that no
 * private key is committed: a self-signed EC certificate for {@code localhost} and {@code 127.0.0.1}.
 */
final class TestKeystores {
    static final String PASSWORD = "test-only-password";
    static final String ALIAS = "sample";

    private TestKeystores() {
    }

    /** A PKCS12 keystore of one key; {@code startDate} is keytool's ({@code -10d}), or {@code null} for now. */
    static Path keystore(Path dir, String name, String startDate, int validityDays) throws Exception {
        Path keystore = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity",
                String.valueOf(validityDays), "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD));
        if (startDate != null) {
            command.addAll(List.of("-startdate", startDate));
        }
        run(command);
        return keystore;
    }

    static Path keystore(Path dir) throws Exception {
        return keystore(dir, "sample.p12", null, 2);
    }

    /** The keystore's certificate in PEM, for a client such as curl ({@code --cacert}). */
    static Path certificatePem(Path keystore) throws Exception {
        Path pem = keystore.resolveSibling(keystore.getFileName() + ".pem");
        run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-exportcert", "-rfc",
                "-alias", ALIAS, "-keystore", keystore.toString(), "-storepass", PASSWORD, "-file", pem.toString()));
        return pem;
    }

    static Path passwordFile(Path dir, String password) throws IOException {
        return Files.writeString(dir.resolve(password + ".password"), password + "\n", StandardCharsets.UTF_8);
    }

    /** The same key and certificate, the key locked by another password than the store's. */
    static Path withKeyPassword(Path keystore, String keyPassword) throws Exception {
        KeyStore source = load(keystore);
        Key key = source.getKey(ALIAS, PASSWORD.toCharArray());
        Certificate[] chain = source.getCertificateChain(ALIAS);
        KeyStore copy = KeyStore.getInstance("PKCS12");
        copy.load(null, null);
        copy.setKeyEntry(ALIAS, key, keyPassword.toCharArray(), chain);
        return store(copy, keystore.resolveSibling("other-key-password.p12"));
    }

    /** The certificate alone, as a trusted entry: no private key. */
    static Path certificateOnly(Path keystore) throws Exception {
        KeyStore copy = KeyStore.getInstance("PKCS12");
        copy.load(null, null);
        copy.setCertificateEntry("ca", load(keystore).getCertificate(ALIAS));
        return store(copy, keystore.resolveSibling("certificate-only.p12"));
    }

    /** A client-side TLS factory trusting this keystore's certificate. */
    static SslContextFactory.Client trusting(Path keystore) {
        SslContextFactory.Client ssl = new SslContextFactory.Client();
        ssl.setTrustStorePath(keystore.toString());
        ssl.setTrustStorePassword(PASSWORD);
        ssl.setTrustStoreType("PKCS12");
        return ssl;
    }

    static KeyStore load(Path keystore) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }

    private static Path store(KeyStore store, Path path) throws Exception {
        try (OutputStream out = Files.newOutputStream(path)) {
            store.store(out, PASSWORD.toCharArray());
        }
        return path;
    }

    private static void run(List<String> command) throws Exception {
        Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS)) {
            keytool.destroyForcibly();
        }
        assertEquals(0, keytool.exitValue(), "keytool: " + output);
    }
}
