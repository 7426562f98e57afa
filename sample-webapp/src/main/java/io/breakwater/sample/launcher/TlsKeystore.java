package io.breakwater.sample.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The sample's HTTPS key: a PKCS12 keystore and the password in the first line of a file, opened and checked before
 * the server starts, so that a bad path, password or key is one line (in the options' grammar) rather than a
 * failure deep in Jetty's start or, worse, at the first handshake. Immutable.
 */
final class TlsKeystore {
    /** TLS 1.0 and 1.1 are broken (RFC 8996); Jetty's and the JDK's defaults still name them in places. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final String ACCEPTED = "a PKCS12 keystore with a private key and its certificate";

    private final KeyStore keyStore;
    private final String password;

    private TlsKeystore(KeyStore keyStore, String password) {
        this.keyStore = keyStore;
        this.password = password;
    }

    /** Opens the keystore; anything wrong with it throws {@link IllegalArgumentException} with a one-line message. */
    static TlsKeystore open(Path keystore, Path passwordFile) {
        String password = password(passwordFile);
        KeyStore keyStore;
        try (InputStream in = Files.newInputStream(keystore)) {
            keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(in, password.toCharArray());
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalArgumentException("--tls-password-file must hold the password of --tls-keystore, but"
                        + " it did not open \"" + keystore + "\"");
            }
            throw refused(keystore, "is not one");
        } catch (GeneralSecurityException e) {
            throw refused(keystore, "is not one");
        }
        checkKey(keyStore, keystore, password);
        return new TlsKeystore(keyStore, password);
    }

    private static String password(Path passwordFile) {
        try {
            List<String> lines = Files.readAllLines(passwordFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : lines.get(0);
        } catch (IOException e) {
            throw new IllegalArgumentException("--tls-password-file must be a readable UTF-8 text file, but was \""
                    + passwordFile + "\"");
        }
    }

    /** A key Jetty can serve: one private key entry, opened by the store's password, its certificate valid now. */
    private static void checkKey(KeyStore keyStore, Path keystore, String password) {
        try {
            for (String alias : Collections.list(keyStore.aliases())) {
                if (!keyStore.isKeyEntry(alias)) {
                    continue;
                }
                try {
                    keyStore.getKey(alias, password.toCharArray());
                } catch (UnrecoverableKeyException e) {
                    throw refused(keystore, "has a key (\"" + alias + "\") that the keystore's password does not"
                            + " open");
                }
                Certificate certificate = keyStore.getCertificate(alias);
                if (!(certificate instanceof X509Certificate x509)) {
                    throw refused(keystore, "has a key (\"" + alias + "\") without an X.509 certificate");
                }
                try {
                    x509.checkValidity();
                } catch (CertificateExpiredException e) {
                    throw refused(keystore, "has a certificate (\"" + alias + "\") that expired on "
                            + x509.getNotAfter().toInstant());
                } catch (CertificateNotYetValidException e) {
                    throw refused(keystore, "has a certificate (\"" + alias + "\") valid only from "
                            + x509.getNotBefore().toInstant());
                }
                return;
            }
        } catch (GeneralSecurityException e) {
            throw refused(keystore, "is not one");
        }
        throw refused(keystore, "holds no private key");
    }

    private static IllegalArgumentException refused(Path keystore, String reason) {
        return new IllegalArgumentException("--tls-keystore must be " + ACCEPTED + ", but \"" + keystore + "\" "
                + reason);
    }

    /**
     * Jetty's server-side TLS on this key: TLS 1.2 and 1.3 only, Jetty's default exclusions of weak cipher suites,
     * and the suites that HTTP/2 allows (RFC 9113, section 9.2.2) preferred, so that ALPN can choose h2.
     */
    SslContextFactory.Server sslContextFactory() {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keyStore);
        ssl.setKeyStorePassword(password);
        ssl.setIncludeProtocols(PROTOCOLS);
        ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
        ssl.setUseCipherSuitesOrder(true);
        return ssl;
    }
}
