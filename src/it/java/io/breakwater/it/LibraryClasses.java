package io.breakwater.it;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The names of the classes in Breakwater's library jars (or their class folders), read from the files. */
final class LibraryClasses {
    private static final List<String> ANCHORS =
            List.of("io.breakwater.core.config.ConfigException", "io.breakwater.proxy.BalancingProxyServlet",
                    "io.breakwater.micrometer.BreakwaterMeterBinder");

    private LibraryClasses() {
    }

    static TreeSet<String> names() throws IOException, URISyntaxException {
        TreeSet<String> names = new TreeSet<>();
        for (String anchor : ANCHORS) {
            Class<?> type;
            try {
                type = Class.forName(anchor, false, LibraryClasses.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                continue;
            }
            CodeSource source = type.getProtectionDomain().getCodeSource();
            Path location = Path.of(source.getLocation().toURI());
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    files.map(p -> location.relativize(p).toString())
                            .filter(p -> p.startsWith("io/breakwater/") && p.endsWith(".class"))
                            .forEach(p -> names.add(toClassName(p)));
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    jar.stream().map(JarEntry::getName)
                            .filter(p -> p.startsWith("io/breakwater/") && p.endsWith(".class"))
                            .forEach(p -> names.add(toClassName(p)));
                }
            }
        }
        return names;
    }

    private static String toClassName(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }
}
